import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type TeamsStandIn, startTeamsStandIn } from '../components/teams/server.ts';
import { droneBuildEnv, droneStepEnv, failedRunnerStatusFile } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';

let teams: TeamsStandIn;
let workspace: string;
before(async () => {
  teams = await startTeamsStandIn();
});
after(() => teams.close());
beforeEach(() => {
  teams.received.length = 0;
  teams.runs.length = 0;
  workspace = mkdtempSync(join(tmpdir(), 'teams-ws-'));
});

function run(settings: Record<string, string>, extra: Record<string, string> = {}) {
  return runBundle('teams', { ...droneStepEnv(workspace), PLUGIN_WEBHOOK: teams.webhookUrl, ...settings, ...extra });
}

function noSecretIn(output: string) {
  assert.ok(!output.includes(teams.signature), `the signature leaked:\n${output}`);
}

type Card = { version: string; msteams: { width: string }; body: Array<Record<string, unknown>>; actions?: Array<Record<string, unknown>> };
const cardOf = (i = 0) => teams.runs[i]!.card as unknown as Card;

describe('default card', () => {
  test('on success: an Adaptive Card 1.4, full width, named colour, facts and a link to the build', async () => {
    const r = await run({});
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'sent the success card to the Teams workflow; it posts to the channel as its run goes\n');
    const body = teams.received[0]!.body as { type: string; attachments: Array<Record<string, unknown>> };
    assert.equal(body.type, 'message');
    assert.equal(body.attachments[0]!.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(body.attachments[0]!.contentUrl, null);
    assert.deepEqual(teams.runs[0]!.status, 'Succeeded');
    assert.deepEqual(cardOf(), {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.4',
      type: 'AdaptiveCard',
      body: [
        { type: 'TextBlock', text: 'octocat/hello-world #42: success', weight: 'Bolder', size: 'Medium', color: 'good', wrap: true },
        { type: 'TextBlock', text: `Merge 'x' <y> & "z"`, wrap: true },
        {
          type: 'FactSet',
          facts: [
            { title: 'Branch', value: 'main' },
            { title: 'Commit', value: '7fd1a60b' },
            { title: 'Author', value: 'octocat' },
          ],
        },
      ],
      actions: [{ type: 'Action.OpenUrl', title: 'Open build', url: 'https://drone.example.com/octocat/hello-world/42' }],
      msteams: { width: 'Full' },
    });
    noSecretIn(r.stdout + r.stderr);
  });

  test("a failure read from the runner's status file: attention colour; failed steps when the runner names them", async () => {
    const statusFile = join(workspace, 'env');
    writeFileSync(statusFile, failedRunnerStatusFile);
    const r = await run({ PLUGIN_ENV_FILE: statusFile }, { DRONE_FAILED_STEPS: 'test,deploy' });
    assert.equal(r.code, 0, r.stderr);
    const [title, , facts] = cardOf().body;
    assert.equal(title!.text, 'octocat/hello-world #42: failure');
    assert.equal(title!.color, 'attention');
    assert.deepEqual((facts!.facts as unknown[]).at(-1), { title: 'Failed steps', value: 'test, deploy' });
  });

  test('a Power Automate URL of the newer form works the same', async () => {
    const r = await run({ PLUGIN_WEBHOOK: teams.webhookUrl.replace('/workflows/', '/powerautomate/automations/direct/workflows/') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(teams.runs[0]!.status, 'Succeeded');
  });

  test('status: building overrides the word and the colour; facts are added', async () => {
    const r = await run({ PLUGIN_STATUS: 'building', PLUGIN_FACTS: 'Environment:production,URL:https://shop.example.com' });
    assert.equal(r.code, 0, r.stderr);
    const [title, , facts] = cardOf().body;
    assert.equal(title!.color, 'accent');
    assert.equal(title!.text, 'octocat/hello-world #42: building');
    assert.deepEqual((facts!.facts as unknown[]).slice(-2), [
      { title: 'Environment', value: 'production' },
      { title: 'URL', value: 'https://shop.example.com' },
    ]);
  });
});

describe('templates', () => {
  test('template_success / template_failure pick by outcome and fall back to template', async () => {
    const settings = { PLUGIN_TEMPLATE: 'generic {{build.number}}', PLUGIN_TEMPLATE_FAILURE: '**broke**: {{build.message.title}}' };
    assert.equal((await run(settings)).code, 0);
    assert.equal((await run(settings, { DRONE_FAILED_STEPS: 'test' })).code, 0);
    assert.deepEqual(
      teams.runs.map((run) => (run.card as unknown as Card).body[1]!.text),
      ['generic 42', `**broke**: Merge 'x' <y> & "z"`],
    );
  });

  test('card: a whole Adaptive Card from a workspace file, values JSON-escaped, Teams defaults added', async () => {
    writeFileSync(
      join(workspace, 'card.json'),
      '{"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "{{build.message}} on {{build.branch}}"}], "actions": [{"type": "Action.OpenUrl", "title": "Go", "url": "{{build.link}}"}]}',
    );
    const r = await run({ PLUGIN_CARD: 'card.json' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(teams.runs[0]!.status, 'Succeeded', teams.runs[0]!.error);
    const card = cardOf();
    assert.equal(card.body[0]!.text, `Merge 'x' <y> & "z"\n\nThe body. on main`);
    assert.equal(card.version, '1.4');
    assert.deepEqual(card.msteams, { width: 'Full' });
  });

  test('card with template or facts is a settings error', async () => {
    const r = await run({ PLUGIN_CARD: '{"type": "AdaptiveCard"}', PLUGIN_FACTS: 'a:b' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /settings\.card and settings\.facts exclude each other/);
  });
});

describe('limits and errors', () => {
  test('429 and 5xx are retried, honouring Retry-After', async () => {
    teams.script([{ status: 429, headers: { 'retry-after': '0' }, body: '{"error":{"code":"WorkflowRequestsThrottled","message":"throttled"}}' }, { status: 502 }]);
    const r = await run({});
    assert.equal(r.code, 0, r.stderr);
    assert.equal(teams.received.length, 3);
    assert.match(r.stdout, /HTTP 429; retrying in 0 s \(attempt 2 of 4\)/);
    noSecretIn(r.stdout + r.stderr);
  });

  test("a wrong signature: Power Automate's own error and a hint, the URL never shown", async () => {
    const r = await run({ PLUGIN_WEBHOOK: teams.webhookUrl.replace(teams.signature, 'wrong-signature-value') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: posting to Microsoft Teams \(settings\.webhook\) failed: HTTP 401: \{"error":\{"code":"DirectApiInvalidAuthorizationSignature"/);
    assert.match(r.stdout, /hint: The workflow refused the signature/);
    assert.ok(!(r.stdout + r.stderr).includes('wrong-signature-value'));
  });

  test('a deleted workflow and an unreachable server name settings.webhook', async () => {
    const gone = await run({ PLUGIN_WEBHOOK: teams.webhookUrl.replace(/workflows\/[0-9a-f]+/, 'workflows/0000') });
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /HTTP 404: \{"error":\{"code":"WorkflowNotFound"/);
    assert.match(gone.stdout, /hint: The workflow was deleted or turned off/);
    const down = await run({ PLUGIN_WEBHOOK: 'http://127.0.0.1:1/workflows/1/triggers/manual/paths/invoke?sig=down-secret', PLUGIN_TIMEOUT: '20s' });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /settings\.webhook: cannot reach Microsoft Teams: POST http:\/\/127\.0\.0\.1:1 failed: ECONNREFUSED/);
    assert.ok(!(down.stdout + down.stderr).includes('down-secret'));
  });

  test('bad facts and a missing webhook are settings errors, all at once', async () => {
    const r = await runBundle('teams', { ...droneBuildEnv, DRONE_WORKSPACE: workspace, PLUGIN_FACTS: 'no colon here', PLUGIN_ON: 'sometimes' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /settings\.facts: expected Title:Value, "no colon here" has no title/);
    assert.match(r.stderr, /settings\.on: expected success and\/or failure/);
    assert.match(r.stderr, /set settings\.webhook\. Example: webhook: https:/);
  });

  test('an error body that quotes the URL or the signature alone is masked', async () => {
    teams.script([{ status: 400, body: JSON.stringify({ error: { code: 'InvalidTemplate', message: `Unable to process ${teams.webhookUrl}; sig ${teams.signature}` } }) }]);
    const r = await run({});
    assert.equal(r.code, 1);
    assert.match(r.stderr, /HTTP 400: \{"error":\{"code":"InvalidTemplate","message":"Unable to process \*{8}; sig \*{8}"/);
    noSecretIn(r.stdout + r.stderr);
  });

  test('a template that does not parse, or names a missing file: an error naming it, nothing sent', async () => {
    const broken = await run({ PLUGIN_TEMPLATE: 'done {{#if build.tag}}' });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /template "settings\.template"/);
    const missing = await run({ PLUGIN_CARD: 'cards/teams.json' });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /the template file "cards\/teams\.json" does not exist/);
    const outside = await run({ PLUGIN_CARD: '../../etc/passwd' });
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /settings\.card: "\.\.\/\.\.\/etc\/passwd" is outside the workspace/);
    assert.equal(teams.received.length, 0);
  });

  test('on: [failure] sends nothing for a success', async () => {
    const r = await run({ PLUGIN_ON: 'failure' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^nothing to send: the pipeline's outcome is success/);
    assert.equal(teams.received.length, 0);
  });

  test('a workflow that never answers: the step ends at settings.timeout, naming it', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/workflows/1/triggers/manual/paths/invoke?sig=silent-secret`;
    try {
      const started = Date.now();
      const r = await run({ PLUGIN_WEBHOOK: url, PLUGIN_TIMEOUT: '2s' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no complete answer within settings\.timeout: 2s/);
      assert.ok(Date.now() - started < 8000);
      assert.ok(!(r.stdout + r.stderr).includes('silent-secret'));
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  test('debug: true shows the card, never the URL or its signature', async () => {
    const r = await run({ PLUGIN_DEBUG: 'true' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /debug: message: \{"type":"message"/);
    noSecretIn(r.stdout + r.stderr);
    assert.ok(!(r.stdout + r.stderr).includes('/triggers/manual/paths/invoke'), 'the URL path is shown');
  });
});
