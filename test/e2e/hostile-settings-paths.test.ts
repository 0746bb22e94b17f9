import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type SlackStandIn, startSlackStandIn } from '../components/slack/server.ts';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { droneBuildEnv } from '../support/drone-env.ts';
import { runKaniko } from '../support/kaniko.ts';
import { runProcess } from '../support/process.ts';
import { repoRoot } from '../support/run-bundle.ts';
import { assertRefused } from '../support/settings-refused.ts';

/**
 * File settings resolve inside the workspace: `..`, an absolute path elsewhere, or a symlink that
 * leads out of it is a settings error naming the setting, before anything is read, sent or run.
 */
let api: KubeApi;
let slack: SlackStandIn;
let root: string;
let ws: string;
let peakRssFile: string;
before(async () => {
  [api, slack] = await Promise.all([startKubeApi(), startSlackStandIn()]);
});
after(async () => {
  await Promise.all([api.close(), slack.close()]);
});
beforeEach(() => {
  api.requests.length = 0;
  slack.received.length = 0;
  root = mkdtempSync(join(tmpdir(), 'hostile-paths-'));
  ws = join(root, 'src');
  mkdirSync(ws);
  writeFileSync(join(root, 'secret.txt'), 'FILE-OUTSIDE-THE-WORKSPACE\n');
  peakRssFile = join(root, 'peak-rss');
});
after(() => rmSync(root, { recursive: true, force: true }));

/** Runs a bundle as Drone does, with a preload that records the process's peak RSS on exit. */
async function run(plugin: string, env: Record<string, string>) {
  const preload = join(root, 'peak-rss.cjs');
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(peakRssFile)}, String(process.resourceUsage().maxRSS)));\n`);
  const started = performance.now();
  const r = await runProcess(process.execPath, ['--require', preload, join(repoRoot, 'dist', `${plugin}.js`)], {
    cwd: ws,
    env: { PATH: process.env.PATH ?? '', ...droneBuildEnv, DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: join(root, 'no-status-file'), ...env },
    timeoutMs: 60_000,
  });
  return { ...r, ms: performance.now() - started, peakRssMb: Number(readFileSync(peakRssFile, 'utf8')) / 1024 };
}

describe('paths stay in the workspace', () => {
  test('kubernetes: manifests by .., by absolute path, through a symlinked directory; template through a symlinked file', async () => {
    symlinkSync(root, join(ws, 'up'));
    symlinkSync(join(root, 'secret.txt'), join(ws, 'deploy.yaml'));
    const r = await run('kubernetes', {
      PLUGIN_KUBECONFIG: api.kubeconfig(),
      PLUGIN_MANIFESTS: JSON.stringify(['../../etc/passwd', '/etc/hostname', 'up/*.txt']),
      PLUGIN_TEMPLATE: 'deploy.yaml',
    });
    assertRefused(r, [
      `settings.manifests: "../../etc/passwd" is outside the workspace ${ws}`,
      `settings.template: "deploy.yaml" is outside the workspace ${ws} (a symlink leads to ${join(root, 'secret.txt')})`,
    ]);
    assert.equal(api.requests.length, 0);
    const each = await Promise.all(
      ['/etc/hostname', 'up/*.txt'].map((m) => run('kubernetes', { PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_MANIFESTS: m })),
    );
    assert.match(each[0]!.stderr, /^error: settings\.manifests: "\/etc\/hostname" is outside the workspace /);
    assert.match(each[1]!.stderr, /^error: settings\.manifests: "up\/\*\.txt" is outside the workspace .* \(a symlink leads to /);
    assert.ok(!(r.stdout + r.stderr + each.map((e) => e.stdout + e.stderr).join('')).includes('FILE-OUTSIDE'), 'no file content is shown');
  });

  test('kubernetes: a manifests directory holding a symlink to a directory outside is refused before any request', async () => {
    mkdirSync(join(root, 'elsewhere'));
    writeFileSync(join(root, 'elsewhere', 'stolen.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\n');
    mkdirSync(join(ws, 'k8s'));
    writeFileSync(join(ws, 'k8s', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n');
    symlinkSync(join(root, 'elsewhere'), join(ws, 'k8s', 'shared'));
    const r = await run('kubernetes', { PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_MANIFESTS: 'k8s/' });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(
      r.stderr,
      `error: settings.manifests: "k8s/shared/stolen.yaml" is outside the workspace ${ws} (a symlink leads to ${join(root, 'elsewhere', 'stolen.yaml')}), found in k8s/\n`,
    );
    assert.equal(api.requests.length, 0);
  });

  test('slack: template through a symlink, thread_ts_file by .., a file: URL outside; nothing is sent', async () => {
    symlinkSync(join(root, 'secret.txt'), join(ws, 'message.hbs'));
    const r = await run('slack', {
      PLUGIN_ACCESS_TOKEN: slack.token,
      PLUGIN_API_URL: `${slack.url}/api`,
      PLUGIN_CHANNEL: 'deployments',
      PLUGIN_TEMPLATE: 'message.hbs',
      PLUGIN_TEMPLATE_FAILURE: `file://${join(root, 'secret.txt')}`,
      PLUGIN_THREAD_TS_FILE: '../thread.json',
    });
    assertRefused(r, [
      `settings.template: "message.hbs" is outside the workspace ${ws} (a symlink leads to ${join(root, 'secret.txt')})`,
      `settings.template_failure: "file://${join(root, 'secret.txt')}" is outside the workspace ${ws}`,
      `settings.thread_ts_file: "../thread.json" is outside the workspace ${ws}`,
    ]);
    assert.equal(slack.received.length, 0);
    assert.ok(!existsSync(join(root, 'thread.json')));
  });

  test('kaniko: dockerfile, context, artifact_file through a dangling symlink, tar_path; the executor never runs', async () => {
    const dir = mkdtempSync(join(root, 'executor-'));
    writeFileSync(join(ws, 'Dockerfile'), 'FROM scratch\n');
    symlinkSync(join(root, 'cron.d', 'evil'), join(ws, 'artifact.json'));
    const build = { ...droneBuildEnv, PLUGIN_REPO: 'registry.local/app' };
    const r = await runKaniko(dir, ws, { ...build, PLUGIN_DOCKERFILE: '/etc/passwd', PLUGIN_CONTEXT: '../..', PLUGIN_ARTIFACT_FILE: 'artifact.json', PLUGIN_TAR_PATH: '../image.tar' });
    assertRefused(r, [
      `settings.dockerfile: "/etc/passwd" is outside the workspace ${ws}`,
      `settings.context: "../.." is outside the workspace ${ws}`,
      `settings.tar_path: "../image.tar" is outside the workspace ${ws}`,
      `settings.artifact_file: "artifact.json" is outside the workspace ${ws} (a symlink leads to ${join(root, 'cron.d', 'evil')})`,
    ]);
    assert.equal(r.record, undefined);
    const remote = await runKaniko(dir, ws, { ...build, PLUGIN_CONTEXT: 'git://github.com/acme/app.git#refs/heads/main' });
    assert.equal(remote.code, 0, 'a context URL is not a path');
  });
});

describe('JSON settings nested 20 000 deep', () => {
  const deep = (open: string, close: string, depth = 20_000) => open.repeat(depth) + close.repeat(depth);
  const budget = { ms: 5_000, rssMb: 200 };

  test('slack custom_block and kubernetes vars: refused naming the setting, in seconds and well under 200 MB; a secret one without its value', async () => {
    mkdirSync(join(ws, 'k8s'));
    const runs = [
      await run('slack', { PLUGIN_WEBHOOK: slack.webhookUrl, PLUGIN_CUSTOM_BLOCK: deep('[', ']') }),
      await run('kubernetes', { PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_MANIFESTS: 'k8s/', PLUGIN_VARS: `{"a":${deep('{"a":', '}')}}` }),
      // 100 deep: the masker puts every encoding of a secret into one pattern, which a 40 kB secret overflows.
      await run('kaniko', { PLUGIN_REPO: 'a/b', PLUGIN_REGISTRIES: deep('[', ']', 100) }),
    ];
    const expected = [
      /^error: settings\.custom_block: JSON nested deeper than 64 levels, got "\[{57}\.\.\."\. Example: /,
      /^error: settings\.vars: JSON nested deeper than 64 levels, got /,
      /^error: settings\.registries: JSON nested deeper than 64 levels \(the value is not shown: the setting is secret\)\. Example: /,
    ];
    for (const [i, r] of runs.entries()) {
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, expected[i]!);
      assert.ok(r.ms < budget.ms, `took ${r.ms} ms`);
      assert.ok(r.peakRssMb < budget.rssMb, `peak RSS ${r.peakRssMb} MB`);
    }
    assert.equal(slack.received.length, 0);
    assert.equal(api.requests.length, 0);
  });
});
