import { join } from 'node:path';
/** A push build as Drone describes it to a step, for tests and the demo. */
export const droneBuildEnv: Record<string, string> = {
  DRONE: 'true',
  CI: 'true',
  DRONE_REPO: 'octocat/hello-world',
  DRONE_REPO_OWNER: 'octocat',
  DRONE_REPO_NAME: 'hello-world',
  DRONE_REPO_BRANCH: 'main',
  DRONE_REPO_LINK: 'https://github.com/octocat/hello-world',
  DRONE_BUILD_NUMBER: '42',
  DRONE_BUILD_PARENT: '41',
  DRONE_BUILD_EVENT: 'push',
  DRONE_BUILD_STATUS: 'success',
  DRONE_BUILD_LINK: 'https://drone.example.com/octocat/hello-world/42',
  DRONE_BUILD_CREATED: '1700000000',
  DRONE_BUILD_STARTED: '1700000000',
  DRONE_STAGE_STATUS: 'success',
  DRONE_STAGE_STARTED: '1700000005',
  DRONE_STAGE_NAME: 'default',
  DRONE_STEP_NAME: 'notify',
  DRONE_COMMIT_SHA: '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d',
  DRONE_COMMIT_REF: 'refs/heads/main',
  DRONE_COMMIT_BRANCH: 'main',
  DRONE_COMMIT_MESSAGE: "Merge 'x' <y> & \"z\"\n\nThe body.",
  DRONE_COMMIT_AUTHOR: 'octocat',
  DRONE_COMMIT_AUTHOR_NAME: 'The Octocat',
  DRONE_COMMIT_AUTHOR_EMAIL: 'octocat@github.com',
  DRONE_COMMIT_AUTHOR_AVATAR: 'https://avatars.example.com/octocat',
  DRONE_SYSTEM_HOST: 'drone.example.com',
  DRONE_SYSTEM_PROTO: 'https',
};

/**
 * droneBuildEnv as a step in `workspace` sees it under a runner that writes no status file (the
 * Docker runner's case), so only the environment tells the plugin how the build went.
 */
export function droneStepEnv(workspace: string): Record<string, string> {
  return { ...droneBuildEnv, DRONE_WORKSPACE: workspace, PLUGIN_ENV_FILE: join(workspace, 'no-status-file') };
}

/** What drone-runner-kube's downward-API volume holds once an earlier step failed. */
export const failedRunnerStatusFile = [
  'DRONE_BUILD_FINISHED="1700000100"',
  'DRONE_BUILD_STATUS="failure"',
  'DRONE_STAGE_FINISHED="1700000100"',
  'DRONE_STAGE_STATUS="failure"',
  'cni.projectcalico.org/podIP="10.1.2.3/32"',
  'io.drone="true"',
  'io.drone.build.number="42"',
  'io.drone.repo.slug="octocat/hello-world"',
  'kubernetes.io/config.seen="2024-05-01T10:00:00.123456789Z"',
  'kubernetes.io/config.source="api"',
  'sidecar.istio.io/inject="false"',
].join('\n');

/** A slack step's settings (besides the webhook) and the exact payload plugins/slack posts for them. */
export const defaultSlackStep = {
  settings: { PLUGIN_CHANNEL: 'deployments', PLUGIN_USERNAME: 'drone', PLUGIN_ICON_EMOJI: ':rocket:' },
  payload: {
    channel: '#deployments',
    username: 'drone',
    icon_emoji: ':rocket:',
    attachments: [
      {
        color: 'good',
        text: '*success* <https://drone.example.com/octocat/hello-world/42|octocat/hello-world#7fd1a60b> (main) by octocat',
        fallback: 'success octocat/hello-world#7fd1a60b (main) by octocat',
        mrkdwn_in: ['text', 'fallback'],
      },
    ],
  },
};
