import type { BuildContext, Person } from '../context/index.ts';

/**
 * The build as templates see it: every field name plugins/slack exposes (`build.commit`,
 * `build.author`, `build.deployTo` ...) plus the names other Drone notification plugins use
 * (`commit.*`, `stage.*`, `step.*`, `build.finished`, `build.failedSteps`), so a template written for
 * any of them renders. Secrets are never part of it (plugins/slack leaked `config.webhook` this way).
 */
export function buildTemplateFields(b: BuildContext): Record<string, unknown> {
  const author = person(b.commit.author);
  const message = commitMessage(b.commit.message);
  return {
    repo: {
      owner: b.repo.owner,
      namespace: b.repo.owner,
      name: b.repo.name,
      slug: b.repo.slug,
      fullName: b.repo.slug || `${b.repo.owner}/${b.repo.name}`,
      link: b.repo.link,
      branch: b.repo.defaultBranch,
      private: b.repo.private,
      visibility: b.repo.visibility,
      scm: b.repo.scm,
    },
    build: {
      tag: b.build.tag,
      event: b.build.event,
      action: b.build.action,
      number: b.build.number,
      parent: b.build.parent,
      status: b.build.status,
      commit: b.commit.sha,
      ref: b.commit.ref,
      branch: b.commit.branch,
      author,
      pull: b.build.pullRequest,
      message,
      deployTo: b.build.deployTo,
      deployId: b.build.deployId,
      link: b.build.link,
      created: b.build.created,
      started: b.build.started,
      finished: b.build.finished,
      trigger: b.build.trigger,
      failedSteps: b.build.failedSteps,
      failedStages: b.build.failedStages,
      sourceBranch: b.build.sourceBranch,
      targetBranch: b.build.targetBranch,
    },
    commit: {
      sha: b.commit.sha,
      before: b.commit.before,
      after: b.commit.after,
      ref: b.commit.ref,
      branch: b.commit.branch,
      link: b.commit.link,
      message,
      author,
      email: author.email,
      avatar: author.avatar,
    },
    stage: { ...b.stage },
    step: { ...b.step },
    // DRONE_JOB_STARTED is a Drone 0.x variable no runner sets any more; the stage start is what
    // `{{since job.started}}` users mean.
    job: { started: b.stage.started || b.build.started },
    system: { ...b.system },
    // Woodpecker's previous pipeline of the repository: `{{#failure prev.build.status}}fixed{{/failure}}`.
    prev: { build: { status: b.prev.status, number: b.prev.number } },
    // drone-email's top-level names.
    tag: b.build.tag,
    pullRequest: b.build.pullRequest,
    deployTo: b.build.deployTo,
    remote: { url: b.repo.httpUrl },
  };
}

function person(p: Person) {
  return { ...p, toString: () => p.username };
}

function commitMessage(text: string) {
  const newline = text.indexOf('\n');
  const title = (newline < 0 ? text : text.slice(0, newline)).trim();
  const body = newline < 0 ? '' : text.slice(newline + 1).trim();
  return { title, body, toString: () => text };
}
