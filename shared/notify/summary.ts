import type { BuildContext } from '../context/index.ts';
import { type Outcome, outcomeOf } from './outcome.ts';

/** The facts every default message states; each service lays them out in its own format. */
export interface Summary {
  readonly outcome: Outcome;
  /** The runner's word: `success`, `failure`, `error`, `killed`, `unknown`. */
  readonly status: string;
  /** `owner/name`. */
  readonly repo: string;
  readonly number: number;
  readonly event: string;
  /** The first 8 characters of the commit, as plugins/slack shows it. */
  readonly sha: string;
  readonly branch: string;
  readonly tag: string;
  /** The commit author's login. */
  readonly author: string;
  /** The first line of the commit message. */
  readonly title: string;
  readonly link: string;
  readonly commitLink: string;
  readonly failedSteps: readonly string[];
}

export function summaryOf(build: BuildContext): Summary {
  return {
    outcome: outcomeOf(build),
    status: build.build.status,
    repo: `${build.repo.owner}/${build.repo.name}`,
    number: build.build.number,
    event: build.build.event,
    sha: build.commit.sha.slice(0, 8),
    branch: build.commit.branch,
    tag: build.build.tag,
    author: build.commit.author.username,
    title: build.commit.message.split('\n', 1)[0]!.trim(),
    link: build.build.link,
    commitLink: build.commit.link,
    failedSteps: build.build.failedSteps,
  };
}

/**
 * plugins/slack's default message, to the character, in the markup Slack, Mattermost and Google
 * Chat all read (`*bold*`, `<url|text>`); drone-google-chat sent the same line.
 */
export function markupLine(f: Summary): string {
  return `*${f.status}* <${f.link}|${f.repo}#${f.sha}> (${f.branch}) by ${f.author}`;
}

/** The same facts as plain text, for notifications and fallbacks. */
export function plainLine(f: Summary): string {
  return `${f.status} ${f.repo}#${f.sha} (${f.branch}) by ${f.author}`;
}
