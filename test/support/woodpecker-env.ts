/**
 * What Woodpecker 3 gives a plugin step, variable for variable: its own `CI_*` set
 * (pipeline/frontend/metadata/environment.go) and the Drone compatibility layer it lays over it
 * (drone_compatibility.go), which copies some `CI_*` values to `DRONE_*` names and sets
 * DRONE_BUILD_STATUS to "success" on every step, whatever happened.
 */
const ciVariables = (workspace: string, version: string): Record<string, string> => ({
  CI: 'woodpecker',
  CI_SYSTEM_NAME: 'woodpecker',
  CI_SYSTEM_URL: 'https://ci.example.com',
  CI_SYSTEM_HOST: 'ci.example.com',
  CI_SYSTEM_PLATFORM: 'linux/amd64',
  CI_SYSTEM_VERSION: version,
  CI_FORGE_TYPE: 'github',
  CI_FORGE_URL: 'https://github.com',
  CI_REPO: 'octocat/hello-world',
  CI_REPO_NAME: 'hello-world',
  CI_REPO_OWNER: 'octocat',
  CI_REPO_REMOTE_ID: '1296269',
  CI_REPO_SCM: 'git',
  CI_REPO_URL: 'https://github.com/octocat/hello-world',
  CI_REPO_CLONE_URL: 'https://github.com/octocat/hello-world.git',
  CI_REPO_CLONE_SSH_URL: 'git@github.com:octocat/hello-world.git',
  CI_REPO_DEFAULT_BRANCH: 'main',
  CI_REPO_PRIVATE: 'false',
  CI_REPO_TRUSTED_NETWORK: 'false',
  CI_REPO_TRUSTED_VOLUMES: 'false',
  CI_REPO_TRUSTED_SECURITY: 'false',
  CI_REPO_TRUSTED: 'false',
  CI_PIPELINE_NUMBER: '42',
  CI_PIPELINE_PARENT: '0',
  CI_PIPELINE_EVENT: 'push',
  CI_PIPELINE_URL: 'https://ci.example.com/repos/1/pipeline/42',
  CI_PIPELINE_FORGE_URL: 'https://github.com/octocat/hello-world/commit/7fd1a60b01f91b314f59955a4e4d4e80d8edf11d',
  CI_PIPELINE_CREATED: '1700000000',
  CI_PIPELINE_STARTED: '1700000001',
  CI_PIPELINE_FILES: '[]',
  CI_WORKFLOW_NAME: 'default',
  CI_WORKFLOW_NUMBER: '1',
  CI_STEP_NAME: 'notify',
  CI_STEP_NUMBER: '3',
  CI_STEP_URL: 'https://ci.example.com/repos/1/pipeline/42/3',
  CI_STEP_STARTED: '1700000090',
  CI_COMMIT_SHA: '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d',
  CI_COMMIT_REF: 'refs/heads/main',
  CI_COMMIT_MESSAGE: 'Fix the thing',
  CI_COMMIT_BRANCH: 'main',
  CI_COMMIT_AUTHOR: 'octocat',
  CI_COMMIT_AUTHOR_EMAIL: 'octocat@github.com',
  CI_COMMIT_AUTHOR_AVATAR: 'https://avatars.example.com/octocat',
  CI_PREV_PIPELINE_NUMBER: '41',
  CI_PREV_PIPELINE_PARENT: '0',
  CI_PREV_PIPELINE_EVENT: 'push',
  CI_PREV_PIPELINE_URL: 'https://ci.example.com/repos/1/pipeline/41',
  CI_PREV_PIPELINE_STATUS: 'success',
  CI_PREV_PIPELINE_CREATED: '1699990000',
  CI_PREV_PIPELINE_STARTED: '1699990001',
  CI_PREV_PIPELINE_FINISHED: '1699990100',
  CI_PREV_COMMIT_SHA: '553c2077f0edc3d5dc5d17262f6aa498e69d6f8e',
  CI_PREV_COMMIT_REF: 'refs/heads/main',
  CI_PREV_COMMIT_MESSAGE: 'The previous thing',
  CI_PREV_COMMIT_BRANCH: 'main',
  CI_PREV_COMMIT_AUTHOR: 'octocat',
  CI_WORKSPACE: workspace,
});

/** drone_compatibility.go's copies, in its order: [Woodpecker name, Drone name]. */
const DRONE_COPIES: ReadonlyArray<readonly [string, string]> = [
  ['CI_COMMIT_BRANCH', 'DRONE_BRANCH'],
  ['CI_COMMIT_PULL_REQUEST', 'DRONE_PULL_REQUEST'],
  ['CI_COMMIT_PULL_REQUEST', 'PULLREQUEST_DRONE_PULL_REQUEST'],
  ['CI_COMMIT_TAG', 'DRONE_TAG'],
  ['CI_COMMIT_SOURCE_BRANCH', 'DRONE_SOURCE_BRANCH'],
  ['CI_COMMIT_TARGET_BRANCH', 'DRONE_TARGET_BRANCH'],
  ['CI_PIPELINE_NUMBER', 'DRONE_BUILD_NUMBER'],
  ['CI_PIPELINE_PARENT', 'DRONE_BUILD_PARENT'],
  ['CI_PIPELINE_EVENT', 'DRONE_BUILD_EVENT'],
  ['CI_PIPELINE_URL', 'DRONE_BUILD_LINK'],
  ['CI_PIPELINE_CREATED', 'DRONE_BUILD_CREATED'],
  ['CI_PIPELINE_STARTED', 'DRONE_BUILD_STARTED'],
  ['CI_PIPELINE_FINISHED', 'DRONE_BUILD_FINISHED'],
  ['CI_COMMIT_SHA', 'DRONE_COMMIT'],
  ['CI_COMMIT_SHA', 'DRONE_COMMIT_SHA'],
  ['CI_PREV_COMMIT_SHA', 'DRONE_COMMIT_BEFORE'],
  ['CI_COMMIT_REF', 'DRONE_COMMIT_REF'],
  ['CI_COMMIT_BRANCH', 'DRONE_COMMIT_BRANCH'],
  ['CI_COMMIT_URL', 'DRONE_COMMIT_LINK'],
  ['CI_COMMIT_MESSAGE', 'DRONE_COMMIT_MESSAGE'],
  ['CI_COMMIT_AUTHOR', 'DRONE_COMMIT_AUTHOR'],
  ['CI_COMMIT_AUTHOR', 'DRONE_COMMIT_AUTHOR_NAME'],
  ['CI_COMMIT_AUTHOR_EMAIL', 'DRONE_COMMIT_AUTHOR_EMAIL'],
  ['CI_COMMIT_AUTHOR_AVATAR', 'DRONE_COMMIT_AUTHOR_AVATAR'],
  ['CI_REPO', 'DRONE_REPO'],
  ['CI_REPO_SCM', 'DRONE_REPO_SCM'],
  ['CI_REPO_OWNER', 'DRONE_REPO_OWNER'],
  ['CI_REPO_NAME', 'DRONE_REPO_NAME'],
  ['CI_REPO_URL', 'DRONE_REPO_LINK'],
  ['CI_REPO_DEFAULT_BRANCH', 'DRONE_REPO_BRANCH'],
  ['CI_REPO_PRIVATE', 'DRONE_REPO_PRIVATE'],
  ['CI_REPO_CLONE_URL', 'DRONE_REMOTE_URL'],
  ['CI_REPO_CLONE_URL', 'DRONE_GIT_HTTP_URL'],
  ['CI_SYSTEM_HOST', 'DRONE_SYSTEM_HOST'],
  ['CI_STEP_NUMBER', 'DRONE_STEP_NUMBER'],
];

function withDroneCompatibility(env: Record<string, string>): Record<string, string> {
  const out = { ...env };
  for (const [from, to] of DRONE_COPIES) if (from in env) out[to] = env[from]!;
  out.DRONE_BUILD_STATUS = 'success';
  if (!env.CI_COMMIT_PULL_REQUEST) out.PULLREQUEST_DRONE_PULL_REQUEST = '0';
  return out;
}

/** Woodpecker 3.0 to 3.14: no CI_PIPELINE_STATUS at all. */
export function woodpecker30Env(workspace: string): Record<string, string> {
  return withDroneCompatibility(ciVariables(workspace, '3.0.0'));
}

/** Woodpecker 3.15 and later: CI_PIPELINE_STATUS is the workflow's state right before the step. */
export function woodpecker315Env(workspace: string, pipelineStatus: 'success' | 'failure'): Record<string, string> {
  return withDroneCompatibility({ ...ciVariables(workspace, '3.15.0'), CI_PIPELINE_STATUS: pipelineStatus });
}
