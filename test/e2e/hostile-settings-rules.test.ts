import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type SlackStandIn, startSlackStandIn } from '../components/slack/server.ts';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { droneBuildEnv, droneStepEnv } from '../support/drone-env.ts';
import { runKaniko } from '../support/kaniko.ts';
import { runBundle } from '../support/run-bundle.ts';
import { assertRefused } from '../support/settings-refused.ts';

/**
 * The rules between settings, misspelled names and bad values are found together, before the
 * plugin does anything: exit 1, one error listing every problem, no request to any server, no
 * executor run.
 */
let api: KubeApi;
let slack: SlackStandIn;
let workspace: string;
before(async () => {
  [api, slack] = await Promise.all([startKubeApi({ namespaces: ['demo'] }), startSlackStandIn()]);
});
after(async () => {
  await Promise.all([api.close(), slack.close()]);
});
beforeEach(() => {
  api.requests.length = 0;
  slack.received.length = 0;
  workspace = mkdtempSync(join(tmpdir(), 'hostile-settings-'));
  mkdirSync(join(workspace, 'k8s'));
  writeFileSync(join(workspace, 'k8s', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rules\ndata:\n  a: "1"\n');
});
after(() => rmSync(workspace, { recursive: true, force: true }));

function run(plugin: string, env: Record<string, string>) {
  return runBundle(plugin, { ...droneStepEnv(workspace), ...env }, { cwd: workspace });
}

describe('kubernetes', () => {
  test('every problem at once, before any request: rules, values, a misspelled name, a path out of the workspace', async () => {
    const r = await run('kubernetes', {
      PLUGIN_KUBECONFIG: api.kubeconfig(),
      PLUGIN_CLIENT_CERT: 'not-used',
      PLUGIN_PRUNE: 'true',
      PLUGIN_DEPLOYMENT: 'web',
      PLUGIN_MANIFESTS: 'k8s/',
      PLUGIN_TEMPLATE: '../../../../../../etc/passwd',
      PLUGIN_TIMEOUT: '5 minutes',
      PLUGIN_NAMSPACE: 'demo',
    });
    assertRefused(r, [
      'settings.client_cert: expected PEM (starting with -----BEGIN) or base64-encoded PEM',
      `settings.template: "../../../../../../etc/passwd" is outside the workspace ${workspace}`,
      'settings.timeout: expected a duration, got "5 minutes". Example: timeout: 5m',
      'settings.deployment needs settings.repo and settings.tag. Example: repo: registry.example.com/team/web',
      'settings.prune needs settings.prune_label. Example: prune_label: app.kubernetes.io/part-of=shop',
      'settings.client_cert is set but settings.client_key is not: set them together, or none of them.',
      'settings.manifests and settings.deployment exclude each other: set only one of them.',
      'settings.template and settings.deployment exclude each other: set only one of them.',
      'settings.namspace is not a setting: did you mean settings.namespace?',
    ]);
    assert.match(r.stdout, /^hint: Fix the step's "settings:" in \.drone\.yml\.$/m);
    assert.equal(api.requests.length, 0, 'no request reached the API server');
  });

  test('namspace: demo fails the step, where it used to deploy into default with exit 0', async () => {
    const r = await run('kubernetes', { PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_MANIFESTS: 'k8s/', PLUGIN_NAMSPACE: 'demo' });
    assertRefused(r, ['settings.namspace is not a setting: did you mean settings.namespace?']);
    assert.equal(api.requests.length, 0);
    assert.equal(api.get('/api/v1/namespaces/default/configmaps/rules'), undefined);
  });

  test("a setting of another Sortie plugin (tags, from a shared YAML anchor) is only a warning, an unlike name too, and the deploy goes on", async () => {
    const r = await run('kubernetes', { PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_MANIFESTS: 'k8s/', PLUGIN_NAMESPACE: 'demo', PLUGIN_TAGS: 'latest', PLUGIN_SOMETHING_ELSE: 'x' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /^warning: unknown setting settings\.tags is ignored; did you mean settings\.tag\?$/m);
    assert.match(r.stderr, /^warning: unknown setting settings\.something_else is ignored\.$/m);
    assert.ok(api.get('/api/v1/namespaces/demo/configmaps/rules'));
  });
});

describe('slack', () => {
  test('access_token without channel or recipient is a settings error before any request (auth.test included)', async () => {
    const r = await run('slack', { PLUGIN_ACCESS_TOKEN: slack.token, PLUGIN_API_URL: `${slack.url}/api` });
    assertRefused(r, ['settings.access_token needs settings.channel or settings.recipient. Example: channel: deployments']);
    assert.equal(slack.received.length, 0);
    assert.ok(!(r.stdout + r.stderr).includes(slack.token));
  });

  test('every problem at once, naming SLACK_WEBHOOK as the user gave it, nothing sent', async () => {
    const r = await run('slack', {
      SLACK_WEBHOOK: slack.webhookUrl,
      PLUGIN_THREAD_TS_FILE: 'thread.json',
      PLUGIN_CUSTOM_BLOCK: '{"blocks": [{"text": "no type"}]}',
      PLUGIN_WEBOOK: slack.webhookUrl,
      PLUGIN_CHANNEL: 'deployments',
    });
    assertRefused(r, [
      'settings.custom_block: block 1 has no "type": every Block Kit block is an object with a "type", such as "section" or "header"',
      'settings.thread_ts_file needs settings.access_token. Example: access_token: text',
      'settings.webook is not a setting: did you mean settings.webhook?',
    ]);
    assert.equal(slack.received.length, 0);
    assert.ok(!(r.stdout + r.stderr).includes('sortie-webhook-secret-path'), 'the webhook URL leaked');
  });
});

describe('kaniko', () => {
  test('every problem at once, before the executor runs or a Docker config is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostile-settings-kaniko-'));
    writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
    const r = await runKaniko(dir, workspace, {
      ...droneBuildEnv,
      PLUGIN_USERNAME: 'bot',
      PLUGIN_AUTO_TAG: 'true',
      PLUGIN_TAGS: '1.0',
      PLUGIN_BUILD_ARG: 'A=1',
      PLUGIN_CACHE_TTL: 'two weeks',
      PLUGIN_REGISTRIES: '[{"registry": "quay.io", "password": "quay-secret-pass"}]',
      PLUGIN_SECRET_KEY: 'aws-secret-value',
    });
    assertRefused(r, [
      'settings.cache_ttl: expected a duration such as 6h or 90m, got "two weeks"',
      'settings.registries: item 1 has a password but no username: give both, or neither',
      'settings.username is set but settings.password is not: set them together, or none of them.',
      'settings.secret_key is set but settings.access_key is not: set them together, or none of them.',
      'set one of settings.repo or settings.no_push. Example: repo: registry.example.com/team/app',
      'settings.auto_tag and settings.tags exclude each other: set only one of them.',
      'settings.build_arg is not a setting: did you mean settings.build_args?',
    ]);
    assert.equal(r.record, undefined, 'the executor did not run');
    assert.ok(!existsSync(join(dir, 'docker', 'config.json')));
    for (const secret of ['quay-secret-pass', 'aws-secret-value']) assert.ok(!(r.stdout + r.stderr).includes(secret));
    rmSync(dir, { recursive: true, force: true });
  });

  test('auto_tag on a pull request skips before the rules: a fork gets no secrets, so half a login is expected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostile-settings-kaniko-'));
    const r = await runKaniko(dir, workspace, {
      ...droneBuildEnv,
      PLUGIN_REPO: 'acme/app',
      PLUGIN_USERNAME: 'bot',
      PLUGIN_AUTO_TAG: 'true',
      DRONE_BUILD_EVENT: 'pull_request',
      DRONE_COMMIT_REF: 'refs/pull/7/head',
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^auto_tag: skipping the build/m);
    assert.equal(r.record, undefined);
    rmSync(dir, { recursive: true, force: true });
  });
});
