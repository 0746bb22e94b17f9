import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { droneStepEnv } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';

/**
 * The README's clear-error rows of the Teams and Google Chat plugins: input that must fail before
 * anything is sent. The webhooks point at a closed port, so a request sent anyway would show as
 * "cannot reach" instead of the error expected.
 */
const workspace = mkdtempSync(join(tmpdir(), 'notify-hostile-'));
const TEAMS = 'http://127.0.0.1:1/workflows/1/triggers/manual/paths/invoke?sig=closed-port-signature';
const CHAT = 'http://127.0.0.1:1/v1/spaces/AAAA/messages?key=closed-port-key&token=closed-port-token';

function run(plugin: string, settings: Record<string, string>) {
  return runBundle(plugin, { ...droneStepEnv(workspace), ...settings });
}

test('teams: a retired Office 365 connector URL: a settings error saying what to use instead, the URL not shown', async () => {
  const r = await run('teams', { PLUGIN_WEBHOOK: 'https://contoso.webhook.office.com/webhookb2/1111-2222@3333/IncomingWebhook/4444connector5555/6666' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /settings\.webhook: this is an Office 365 connector URL, and Microsoft retired those connectors/);
  assert.match(r.stderr, /"Post to a channel when a webhook request is received" workflow/);
  assert.ok(!r.stderr.includes('4444connector5555'), r.stderr);
});

test('teams: a message over 28 KB is refused before sending, naming the setting', async () => {
  const r = await run('teams', { PLUGIN_WEBHOOK: TEAMS, PLUGIN_TEMPLATE: '{{repeat 30000 "x"}}' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: the message is \d+(\.\d)? KiB, more than the 28 KiB Teams takes: shorten what settings\.template gives$/m);
});

test('teams: a card above version 1.4, not JSON, or not a card: an error naming settings.card before sending', async () => {
  const cases: Array<[string, RegExp]> = [
    ['{"type": "AdaptiveCard", "version": "1.5", "body": []}', /settings\.card: card version "1\.5": Teams shows Adaptive Cards up to version 1\.4/],
    ['{"type": "AdaptiveCard", "body": [{{{build.message}}}]}', /settings\.card: the rendered card is not JSON: Unexpected token/],
    ['{"type": "message", "attachments": []}', /settings\.card: expected an Adaptive Card, an object with "type": "AdaptiveCard"/],
  ];
  for (const [card, error] of cases) {
    const r = await run('teams', { PLUGIN_WEBHOOK: TEAMS, PLUGIN_CARD: card });
    assert.equal(r.code, 1, card);
    assert.match(r.stderr, error);
  }
});

test('google-chat: a message over 32,000 bytes is refused before sending, naming the template', async () => {
  const r = await run('google-chat', { PLUGIN_WEBHOOK: CHAT, PLUGIN_TEMPLATE_SUCCESS: '{{repeat 33000 "x"}}' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: the message is \d+ bytes, more than the 32000 Google Chat takes: shorten what settings\.template_success gives$/m);
});

test('google-chat: a webhook without its key and token fails before sending, quoting neither', async () => {
  const r = await run('google-chat', { PLUGIN_WEBHOOK: 'http://127.0.0.1:1/v1/spaces/AAAA/messages?key=closed-port-key' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /settings\.webhook has no key= and token=/);
  assert.ok(!r.stderr.includes('closed-port-key'));
});
