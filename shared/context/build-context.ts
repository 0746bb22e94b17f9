/**
 * One typed model of the build, read from Drone's `DRONE_*` variables, or Woodpecker's `CI_*`
 * where Drone's are absent. Drone drops variables whose value is empty, so empty and unset are
 * the same here.
 */
export interface Person {
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly avatar: string;
}

export interface BuildContext {
  readonly runner: 'drone' | 'woodpecker' | 'unknown';
  readonly workspace: string;
  readonly repo: {
    readonly owner: string;
    readonly name: string;
    readonly slug: string;
    readonly link: string;
    readonly defaultBranch: string;
    readonly private: boolean;
    readonly visibility: string;
    readonly scm: string;
    readonly httpUrl: string;
  };
  readonly build: {
    readonly number: number;
    readonly parent: number;
    readonly event: string;
    readonly action: string;
    /** The pipeline's true status: `failure` as soon as anything says so, else what Drone says. */
    readonly status: string;
    readonly link: string;
    readonly created: number;
    readonly started: number;
    readonly finished: number;
    readonly deployTo: string;
    readonly deployId: string;
    readonly trigger: string;
    readonly failedSteps: readonly string[];
    readonly failedStages: readonly string[];
    readonly tag: string;
    readonly pullRequest: string;
    readonly sourceBranch: string;
    readonly targetBranch: string;
  };
  readonly commit: {
    readonly sha: string;
    readonly before: string;
    readonly after: string;
    readonly ref: string;
    readonly branch: string;
    readonly link: string;
    readonly message: string;
    readonly author: Person;
  };
  readonly stage: {
    readonly name: string;
    readonly number: number;
    readonly kind: string;
    readonly type: string;
    readonly status: string;
    readonly started: number;
    readonly finished: number;
    readonly os: string;
    readonly arch: string;
    readonly dependsOn: readonly string[];
  };
  readonly step: { readonly name: string; readonly number: number };
  /** The repository's previous pipeline, as Woodpecker describes it (Drone does not). */
  readonly prev: { readonly status: string; readonly number: number };
  readonly system: { readonly host: string; readonly hostname: string; readonly proto: string; readonly version: string; readonly link: string };
}

const FAILED = new Set(['failure', 'error', 'killed']);

export function isFailedStatus(status: string): boolean {
  return FAILED.has(status);
}

/**
 * `warn` hears, the first time `build.status` is read, that the runner gave no status to trust:
 * only a step that uses the status (a notification, a template) needs to say so.
 */
export function buildContext(env: NodeJS.ProcessEnv, cwd = process.cwd(), warn: (warning: string) => void = () => {}): BuildContext {
  const get = (...names: string[]): string => {
    for (const n of names) {
      const v = env[n];
      if (v) return v;
    }
    return '';
  };
  const num = (...names: string[]): number => {
    const n = Number(get(...names));
    return Number.isFinite(n) ? n : 0;
  };
  const list = (...names: string[]): string[] =>
    get(...names)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);

  const slug = get('DRONE_REPO', 'CI_REPO');
  const [slugOwner = '', slugName = ''] = slug.split('/');
  const failedSteps = list('DRONE_FAILED_STEPS');
  const failedStages = list('DRONE_FAILED_STAGES');
  const runner = env.CI === 'woodpecker' ? 'woodpecker' : env.DRONE ? 'drone' : env.CI_PIPELINE_NUMBER ? 'woodpecker' : 'unknown';
  const reported = runner === 'woodpecker' ? env.CI_PIPELINE_STATUS || UNKNOWN_STATUS : get('DRONE_BUILD_STATUS', 'CI_PIPELINE_STATUS') || 'success';
  let untrusted = reported === UNKNOWN_STATUS;
  const stageStatus = get('DRONE_STAGE_STATUS', 'CI_STEP_STATUS') || reported;
  const status =
    isFailedStatus(reported) || isFailedStatus(stageStatus) || failedSteps.length > 0 || failedStages.length > 0
      ? isFailedStatus(reported) ? reported : 'failure'
      : reported;
  const ref = get('DRONE_COMMIT_REF', 'CI_COMMIT_REF');
  const tag = get('DRONE_TAG', 'CI_COMMIT_TAG') || (ref.startsWith('refs/tags/') ? ref.slice(10) : '');

  return {
    runner,
    workspace: get('DRONE_WORKSPACE', 'CI_WORKSPACE') || cwd,
    repo: {
      owner: get('DRONE_REPO_OWNER', 'DRONE_REPO_NAMESPACE', 'CI_REPO_OWNER') || slugOwner,
      name: get('DRONE_REPO_NAME', 'CI_REPO_NAME') || slugName,
      slug,
      link: get('DRONE_REPO_LINK', 'CI_REPO_URL', 'CI_REPO_LINK'),
      defaultBranch: get('DRONE_REPO_BRANCH', 'CI_REPO_DEFAULT_BRANCH'),
      private: get('DRONE_REPO_PRIVATE', 'CI_REPO_PRIVATE') === 'true',
      visibility: get('DRONE_REPO_VISIBILITY'),
      scm: get('DRONE_REPO_SCM', 'CI_REPO_SCM'),
      httpUrl: get('DRONE_GIT_HTTP_URL', 'CI_REPO_CLONE_URL'),
    },
    build: {
      number: num('DRONE_BUILD_NUMBER', 'CI_PIPELINE_NUMBER'),
      parent: num('DRONE_BUILD_PARENT', 'CI_PIPELINE_PARENT'),
      event: get('DRONE_BUILD_EVENT', 'CI_PIPELINE_EVENT'),
      action: get('DRONE_BUILD_ACTION'),
      get status() {
        if (untrusted) warn(WOODPECKER_WITHOUT_STATUS);
        untrusted = false;
        return status;
      },
      link: get('DRONE_BUILD_LINK', 'CI_PIPELINE_URL', 'CI_PIPELINE_LINK'),
      created: num('DRONE_BUILD_CREATED', 'CI_PIPELINE_CREATED'),
      started: num('DRONE_BUILD_STARTED', 'CI_PIPELINE_STARTED'),
      finished: num('DRONE_BUILD_FINISHED', 'CI_PIPELINE_FINISHED'),
      deployTo: get('DRONE_DEPLOY_TO', 'CI_PIPELINE_DEPLOY_TARGET'),
      deployId: get('DRONE_DEPLOY_ID'),
      trigger: get('DRONE_BUILD_TRIGGER'),
      failedSteps,
      failedStages,
      tag,
      pullRequest: get('DRONE_PULL_REQUEST', 'CI_COMMIT_PULL_REQUEST'),
      sourceBranch: get('DRONE_SOURCE_BRANCH', 'CI_COMMIT_SOURCE_BRANCH'),
      targetBranch: get('DRONE_TARGET_BRANCH', 'CI_COMMIT_TARGET_BRANCH'),
    },
    commit: {
      sha: get('DRONE_COMMIT_SHA', 'DRONE_COMMIT', 'CI_COMMIT_SHA'),
      before: get('DRONE_COMMIT_BEFORE', 'CI_PREV_COMMIT_SHA'),
      after: get('DRONE_COMMIT_AFTER', 'DRONE_COMMIT_SHA', 'CI_COMMIT_SHA'),
      ref,
      branch: get('DRONE_COMMIT_BRANCH', 'DRONE_BRANCH', 'CI_COMMIT_BRANCH'),
      link: get('DRONE_COMMIT_LINK', 'CI_COMMIT_URL', 'CI_COMMIT_LINK'),
      message: get('DRONE_COMMIT_MESSAGE', 'CI_COMMIT_MESSAGE'),
      author: {
        username: get('DRONE_COMMIT_AUTHOR', 'CI_COMMIT_AUTHOR'),
        name: get('DRONE_COMMIT_AUTHOR_NAME', 'CI_COMMIT_AUTHOR_NAME', 'CI_COMMIT_AUTHOR'),
        email: get('DRONE_COMMIT_AUTHOR_EMAIL', 'CI_COMMIT_AUTHOR_EMAIL'),
        avatar: get('DRONE_COMMIT_AUTHOR_AVATAR', 'CI_COMMIT_AUTHOR_AVATAR'),
      },
    },
    stage: {
      name: get('DRONE_STAGE_NAME', 'CI_WORKFLOW_NAME'),
      number: num('DRONE_STAGE_NUMBER', 'CI_WORKFLOW_NUMBER'),
      kind: get('DRONE_STAGE_KIND'),
      type: get('DRONE_STAGE_TYPE'),
      status: stageStatus,
      started: num('DRONE_STAGE_STARTED', 'CI_STEP_STARTED'),
      finished: num('DRONE_STAGE_FINISHED', 'CI_STEP_FINISHED'),
      os: get('DRONE_STAGE_OS', 'CI_SYSTEM_PLATFORM').split('/')[0] ?? '',
      arch: get('DRONE_STAGE_ARCH') || (get('CI_SYSTEM_PLATFORM').split('/')[1] ?? ''),
      dependsOn: list('DRONE_STAGE_DEPENDS_ON'),
    },
    step: { name: get('DRONE_STEP_NAME', 'CI_STEP_NAME'), number: num('DRONE_STEP_NUMBER', 'CI_STEP_NUMBER') },
    prev: { status: get('CI_PREV_PIPELINE_STATUS'), number: num('CI_PREV_PIPELINE_NUMBER') },
    system: {
      host: get('DRONE_SYSTEM_HOST', 'CI_SYSTEM_HOST'),
      hostname: get('DRONE_SYSTEM_HOSTNAME', 'CI_SYSTEM_HOST'),
      proto: get('DRONE_SYSTEM_PROTO'),
      version: get('DRONE_SYSTEM_VERSION', 'CI_SYSTEM_VERSION'),
      link: get('CI_SYSTEM_URL') || (get('DRONE_SYSTEM_PROTO') && get('DRONE_SYSTEM_HOST') ? `${get('DRONE_SYSTEM_PROTO')}://${get('DRONE_SYSTEM_HOST')}` : ''),
    },
  };
}

/**
 * Woodpecker 3 sets DRONE_BUILD_STATUS to "success" on every step, whatever happened, so only its
 * own CI_PIPELINE_STATUS counts: removed in 3.0, restored in 3.15 as the state of the workflow right
 * before the step started. Without it the status is unknown, never a success.
 */
const UNKNOWN_STATUS = 'unknown';
const WOODPECKER_WITHOUT_STATUS =
  'Woodpecker did not say how the pipeline went (CI_PIPELINE_STATUS is unset, as on Woodpecker 3.0 to 3.14, and its DRONE_BUILD_STATUS is "success" on every step), ' +
  `so the build status is "${UNKNOWN_STATUS}". ` +
  'Fix: upgrade Woodpecker to 3.15 or later, or run this step only for one outcome with `when: status: [failure]` (or `[success]`) on the step.';
