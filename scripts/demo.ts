import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyDemoKustomize, copyDemoManifests, demoEnv, overlayEnv, previewEnv } from '../examples/kubernetes/demo.ts';
import { writeStandIn } from '../test/components/kaniko-executor/index.ts';
import { startGoogleChatStandIn } from '../test/components/google-chat/server.ts';
import { startMattermostStandIn } from '../test/components/mattermost/server.ts';
import { startSlackStandIn } from '../test/components/slack/server.ts';
import { startTeamsStandIn } from '../test/components/teams/server.ts';
import { messengerSteps } from './demo-messengers.ts';
import { startKubeApi } from '../test/kube-api/server.ts';
import { droneBuildEnv, failedRunnerStatusFile } from '../test/support/drone-env.ts';
import { webhookAndEmailSteps } from './demo/webhook-email.ts';

/**
 * `npm start`: a local pipeline through every plugin, each bundle started as Drone starts a plugin
 * (a process whose only input is its environment), against stand-ins on loopback: no cluster,
 * registry or Slack account needed.
 */
const root = join(import.meta.dirname, '..');
const workspace = mkdtempSync(join(tmpdir(), 'sortie-demo-'));
const base = { ...droneBuildEnv, DRONE_WORKSPACE: workspace, PLUGIN_ENV_FILE: join(workspace, 'no-status-file') };

function header(title: string): void {
  console.log(`\n\u2500\u2500 ${title} ${'\u2500'.repeat(Math.max(0, 70 - title.length))}`);
}

function step(plugin: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist', `${plugin}.js`)], {
      cwd: workspace,
      env: { PATH: process.env.PATH ?? '', ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const indent = (d: Buffer) => d.toString().replace(/^(?=.)/gm, '   | ');
    child.stdout.on('data', (d: Buffer) => process.stdout.write(indent(d)));
    child.stderr.on('data', (d: Buffer) => process.stdout.write(indent(d)));
    child.on('error', reject);
    child.on('close', (code) => {
      console.log(`   exit code ${code}`);
      resolve(code ?? 1);
    });
  });
}

/** The example app built with the kaniko plugin; a recording stand-in plays /kaniko/executor. */
async function kanikoStep(): Promise<void> {
  cpSync(join(root, 'examples', 'app'), workspace, { recursive: true });
  const executor = writeStandIn(mkdtempSync(join(tmpdir(), 'sortie-executor-')), { stdout: ['INFO[0001] Pushed registry.example.com/octocat/hello-world'] });
  header('kaniko: build and push the example app (the executor is a recording stand-in)');
  await step('kaniko', {
    PLUGIN_EXECUTOR: executor.path,
    PLUGIN_REGISTRY: 'registry.example.com',
    PLUGIN_REPO: 'octocat/hello-world',
    PLUGIN_TAGS: `latest,${droneBuildEnv.DRONE_COMMIT_SHA!.slice(0, 8)}`,
    PLUGIN_BUILD_ARGS: '{"NODE_VERSION": "24"}',
    PLUGIN_USERNAME: 'octocat',
    PLUGIN_PASSWORD: 'demo-registry-password',
    PLUGIN_ENABLE_CACHE: 'true',
    PLUGIN_DIGEST_FILE: join(workspace, '.kaniko-digest'),
    DOCKER_CONFIG: join(workspace, '.docker'),
  });
}

/** The example app deployed to the Kubernetes API emulator, whose controllers roll it out. */
async function kubernetesStep(): Promise<void> {
  const cluster = await startKubeApi();
  copyDemoManifests(workspace);
  try {
    header(`kubernetes: deploy the example app to the embedded cluster (${cluster.url})`);
    await step('kubernetes', { ...demoEnv(cluster.kubeconfig()), PLUGIN_DIFF: 'false' });
    header('kubernetes: the next build scales the app to 3 replicas, with diff: true');
    const next = demoEnv(cluster.kubeconfig(), { buildNumber: 43 });
    await step('kubernetes', { ...next, PLUGIN_VARS: next.PLUGIN_VARS!.replace('"REPLICAS":"2"', '"REPLICAS":"3"') });
    header('kubernetes: a preview environment of branch feature/checkout, then its teardown');
    await step('kubernetes', previewEnv(cluster.kubeconfig()));
    await step('kubernetes', { ...previewEnv(cluster.kubeconfig()), PLUGIN_ACTION: 'teardown' });
    copyDemoKustomize(workspace);
    header('kubernetes: kustomize, the staging overlay of a base (built in the plugin)');
    await step('kubernetes', overlayEnv(cluster.kubeconfig(), 'staging', '1.27.3'));
    header('kubernetes: the production overlay, dry run with diff');
    await step('kubernetes', { ...overlayEnv(cluster.kubeconfig(), 'production', '1.27.3'), PLUGIN_DRY_RUN: 'true', PLUGIN_DIFF: 'true' });
  } finally {
    await cluster.close();
  }
}

async function slackSteps(): Promise<void> {
  const slack = await startSlackStandIn();
  try {
    header('slack: default message, the build succeeded');
    await step('slack', { PLUGIN_WEBHOOK: slack.webhookUrl, PLUGIN_CHANNEL: 'deployments' });
    header("slack: Drone's Kubernetes runner says the build failed (status file)");
    const statusFile = join(workspace, 'run-drone-env');
    writeFileSync(statusFile, failedRunnerStatusFile);
    await step('slack', {
      PLUGIN_WEBHOOK: slack.webhookUrl,
      PLUGIN_CHANNEL: 'deployments',
      PLUGIN_ENV_FILE: statusFile,
      PLUGIN_TEMPLATE_FAILURE: ':x: *{{repo.name}}* #{{build.number}} failed on `{{build.branch}}` ({{truncate build.commit 8}}) by {{build.author.name}}',
    });
    header('what the Slack stand-in received');
    for (const r of slack.received) console.log(`   POST ${r.path.replace(/[^/]+$/, '…')}\n   ${JSON.stringify(r.body)}`);
  } finally {
    await slack.close();
  }
}

/** One message each to Teams, Google Chat and Mattermost (sortie/slack), and what each received. */
async function chatSteps(): Promise<void> {
  const [teams, chat, mattermost] = await Promise.all([startTeamsStandIn(), startGoogleChatStandIn(), startMattermostStandIn()]);
  try {
    header('teams: default card to a Workflows webhook, facts added');
    await step('teams', { PLUGIN_WEBHOOK: teams.webhookUrl, PLUGIN_FACTS: 'Environment:production' });
    header('google-chat: default message and card, in a thread');
    await step('google-chat', { PLUGIN_WEBHOOK: chat.webhookUrl, PLUGIN_THREAD_KEY: 'deploys' });
    header('slack to Mattermost: the same plugin, a Mattermost incoming webhook');
    await step('slack', { PLUGIN_WEBHOOK: mattermost.webhookUrl, PLUGIN_CHANNEL: 'deployments' });
    header('what the stand-ins received');
    for (const [name, received] of [['Teams', teams.received], ['Google Chat', chat.received], ['Mattermost', mattermost.received]] as const) {
      for (const r of received) console.log(`   ${name}: POST ${r.path.split('?')[0]!.replace(/[^/]+$/, '…')}\n   ${JSON.stringify(r.body)}`);
    }
  } finally {
    await Promise.all([teams.close(), chat.close(), mattermost.close()]);
  }
}

await kanikoStep();
await kubernetesStep();
await slackSteps();
await chatSteps();
await webhookAndEmailSteps({ header, step });
await messengerSteps(step, header);
