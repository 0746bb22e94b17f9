import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type MatrixStandIn, startMatrixStandIn } from '../components/matrix/server.ts';
import { startTelegramStandIn, type TelegramStandIn } from '../components/telegram/server.ts';
import { droneStepEnv } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';

/**
 * The README's row on waits asked for in an answer's body: Telegram's `parameters.retry_after` (the
 * Bot API sends no Retry-After header) and Matrix's `retry_after_ms`.
 */
const workspace = mkdtempSync(join(tmpdir(), 'chat-bounds-'));
let telegram: TelegramStandIn;
let matrix: MatrixStandIn;
before(async () => {
  telegram = await startTelegramStandIn();
  matrix = await startMatrixStandIn();
});
after(async () => {
  await telegram.close();
  await matrix.close();
});

function run(plugin: string, settings: Record<string, string>) {
  return runBundle(plugin, { ...droneStepEnv(workspace), ...settings });
}

const bot = () => ({ PLUGIN_TOKEN: telegram.token, PLUGIN_TO: String(telegram.chats.user), PLUGIN_API_URL: telegram.url });

test('telegram: waits the parameters.retry_after of a 429, then sends; a 5xx is retried too', async () => {
  telegram.received.length = 0;
  telegram.script([telegram.tooManyRequests(1), { status: 502, body: '<html>Bad Gateway</html>' }]);
  const started = Date.now();
  const r = await run('telegram', bot());
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Date.now() - started >= 1000, 'retry_after was not honoured');
  assert.equal(telegram.received.length, 3);
  assert.match(r.stdout, /HTTP 429; retrying in 1 s/);
});

test('telegram: a retry_after longer than the time left is not waited for: the answer is reported', async () => {
  telegram.script([telegram.tooManyRequests(30)]);
  const started = Date.now();
  const r = await run('telegram', { ...bot(), PLUGIN_TIMEOUT: '3s' });
  assert.equal(r.code, 1);
  assert.ok(Date.now() - started < 3000, 'it waited');
  assert.match(r.stderr, /HTTP 429: .*Too Many Requests: retry after 30/);
});

test('matrix: a retry_after_ms longer than the time left is not waited for: the answer is reported', async () => {
  matrix.script([matrix.tooManyRequests(50_000)]);
  const r = await run('matrix', { PLUGIN_HOMESERVER: matrix.url, PLUGIN_ROOMID: matrix.roomId, PLUGIN_ACCESSTOKEN: matrix.accessToken, PLUGIN_TIMEOUT: '3s' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /HTTP 429: .*M_LIMIT_EXCEEDED/);
});
