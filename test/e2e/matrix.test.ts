import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type MatrixStandIn, startMatrixStandIn } from '../components/matrix/server.ts';
import { droneStepEnv, failedRunnerStatusFile } from '../support/drone-env.ts';
import { startHostileServer } from '../support/hostile-http.ts';
import { runBundle } from '../support/run-bundle.ts';

let matrix: MatrixStandIn;
let workspace: string;
/** One step name per test: the homeserver keeps every transaction id it has seen, as Matrix's do. */
let step = 0;
before(async () => {
  matrix = await startMatrixStandIn();
});
after(() => matrix.close());
beforeEach(() => {
  matrix.received.length = 0;
  matrix.events.length = 0;
  workspace = mkdtempSync(join(tmpdir(), 'matrix-ws-'));
  step++;
});

const withToken = () => ({ PLUGIN_HOMESERVER: matrix.url, PLUGIN_ROOMID: matrix.roomId, PLUGIN_ACCESSTOKEN: matrix.accessToken });
const withLogin = () => ({ PLUGIN_HOMESERVER: matrix.url, PLUGIN_ROOMID: matrix.alias, PLUGIN_USERNAME: matrix.username, PLUGIN_PASSWORD: matrix.password });

function run(settings: Record<string, string>, extra: Record<string, string> = {}) {
  return runBundle('matrix', { ...droneStepEnv(workspace), DRONE_STEP_NAME: `notify-${step}`, ...settings, ...extra });
}

function noSecretsIn(output: string) {
  for (const secret of [matrix.accessToken, matrix.password, 'sortieStandInToken']) assert.ok(!output.includes(secret), `a secret leaked:\n${output}`);
}

const content = (i = 0) => matrix.events[i]!.content;

describe('messages', () => {
  test('the default message with an access token: HTML with a plain body, as m.notice', async () => {
    const r = await run(withToken());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sent the success message to !buildsRoom0001:localhost \(event \$event1:localhost\)\n$/);
    assert.deepEqual(content(), {
      msgtype: 'm.notice',
      body: 'Build success octocat/hello-world#7fd1a60b (main) by octocat: https://drone.example.com/octocat/hello-world/42',
      format: 'org.matrix.custom.html',
      formatted_body: 'Build success <a href="https://drone.example.com/octocat/hello-world/42">octocat/hello-world#7fd1a60b</a> (main) by octocat',
    });
    assert.deepEqual(matrix.received.map((q) => `${q.method} ${q.path.replace(/send\/m\.room\.message\/.*/, 'send/m.room.message/<txn>')}`), [
      'POST /_matrix/client/v3/join/!buildsRoom0001%3Alocalhost',
      'PUT /_matrix/client/v3/rooms/!buildsRoom0001%3Alocalhost/send/m.room.message/<txn>',
    ]);
    noSecretsIn(r.stdout + r.stderr);
  });

  test('username and password: logs in, resolves the alias by joining, logs out; the session token is never shown', async () => {
    const r = await run({ ...withLogin(), PLUGIN_DEBUG: 'true' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /logged in as @drone:localhost/);
    assert.match(r.stdout, /to #builds:localhost \(!buildsRoom0001:localhost\)/);
    assert.deepEqual(matrix.received.map((q) => q.path.split('/').slice(4, 5)[0]), ['login', 'join', 'rooms', 'logout']);
    assert.equal(matrix.sessions.size, 0, 'the session was not logged out');
    noSecretsIn(r.stdout + r.stderr);
  });

  test("a failure read from the runner's status file; a Markdown template per outcome", async () => {
    const statusFile = join(workspace, 'env');
    writeFileSync(statusFile, failedRunnerStatusFile);
    const settings = { ...withToken(), PLUGIN_ENV_FILE: statusFile, PLUGIN_TEMPLATE: 'generic', PLUGIN_TEMPLATE_FAILURE: '**{{repo.name}}** #{{build.number}} {{build.status}}: {{commit.message.title}} [log]({{build.link}})' };
    const r = await run(settings);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(content().body, `**hello-world** #42 failure: Merge 'x' <y> & "z" [log](https://drone.example.com/octocat/hello-world/42)`);
    assert.equal(content().formatted_body, '<p><strong>hello-world</strong> #42 failure: Merge &apos;x&apos; &lt;y&gt; &amp; &quot;z&quot; <a href="https://drone.example.com/octocat/hello-world/42">log</a></p>');
  });

  test('MATRIX_* variables, a room id without its !, a template file', async () => {
    writeFileSync(join(workspace, 'matrix.md'), 'from a file: #{{build.number}}\n');
    const r = await run({ PLUGIN_TEMPLATE: 'matrix.md' }, { MATRIX_HOMESERVER: matrix.url, MATRIX_ROOMID: matrix.roomId.slice(1), MATRIX_ACCESS_TOKEN: matrix.accessToken });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(content().body, 'from a file: #42');
    assert.equal(content().formatted_body, '<p>from a file: #42</p>');
  });

  test('retries after 429 (retry_after_ms) and 500 reuse the transaction id: stored once', async () => {
    matrix.script([{ status: 200, body: JSON.stringify({ room_id: matrix.roomId }) }, matrix.tooManyRequests(10), { status: 500, body: '{"errcode":"M_UNKNOWN","error":"Internal server error"}' }]);
    const r = await run(withToken());
    assert.equal(r.code, 0, r.stderr);
    const puts = matrix.received.filter((q) => q.method === 'PUT').map((q) => q.path);
    assert.equal(puts.length, 3);
    assert.equal(new Set(puts).size, 1, 'each attempt must reuse the transaction id');
    assert.equal(matrix.events.length, 1);
    const again = await run(withToken());
    assert.equal(again.code, 0, again.stderr);
    assert.equal(matrix.events.length, 1, 'the same step sent twice is one event');
  });

  test('on: [failure] sends nothing for a success', async () => {
    const r = await run({ ...withToken(), PLUGIN_ON: 'failure' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /nothing to send/);
    assert.equal(matrix.received.length, 0);
  });
});

describe('errors: clear message, exit 1, no secret shown', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['no room', { PLUGIN_ROOMID: '' }, /set settings\.roomid/],
    ['no credentials', { PLUGIN_ACCESSTOKEN: '' }, /set one of settings\.accesstoken or settings\.password/],
    ['a password without a username', { PLUGIN_ACCESSTOKEN: '', PLUGIN_PASSWORD: 'x' }, /settings\.password needs settings\.username/],
    ['a room that is no room', { PLUGIN_ROOMID: 'builds' }, /settings\.roomid: expected a room id/],
    ['a template syntax error', { PLUGIN_TEMPLATE: '{{#if build.status}}' }, /settings\.template/],
  ];
  for (const [name, settings, message] of cases) {
    test(name, async () => {
      const r = await run({ ...withToken(), ...settings });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.equal(matrix.received.length, 0);
      noSecretsIn(r.stdout + r.stderr);
    });
  }

  test("the homeserver's refusals are quoted with a hint", async () => {
    const password = await run({ ...withLogin(), PLUGIN_PASSWORD: 'not-the-password' });
    assert.equal(password.code, 1);
    assert.match(password.stderr, /posting to Matrix \(settings\.password\) failed: HTTP 403: .*M_FORBIDDEN.*Invalid username or password/);
    assert.match(password.stdout, /hint: The homeserver refused the login/);
    assert.ok(!(password.stdout + password.stderr).includes('not-the-password'));
    const alias = await run({ ...withToken(), PLUGIN_ROOMID: '#nowhere:localhost' });
    assert.match(alias.stderr, /settings\.roomid\) failed: HTTP 404: .*Room alias #nowhere:localhost not found/);
    const closed = await run({ ...withToken(), PLUGIN_ROOMID: matrix.closedRoomId });
    assert.match(closed.stdout, /hint: The user may not join the room: invite it first/);
    const token = await run({ ...withToken(), PLUGIN_ACCESSTOKEN: 'syt_wrong_token_value_here' });
    assert.match(token.stderr, /HTTP 401: .*M_UNKNOWN_TOKEN/);
    assert.ok(!(token.stdout + token.stderr).includes('syt_wrong_token_value_here'));
    noSecretsIn(password.stdout + password.stderr + alias.stdout + alias.stderr + closed.stdout + closed.stderr);
  });

  test('a login session is logged out even when sending fails', async () => {
    const r = await run({ ...withLogin(), PLUGIN_ROOMID: matrix.closedRoomId });
    assert.equal(r.code, 1);
    assert.equal(matrix.sessions.size, 0);
  });

  test('an unreachable homeserver names the setting', async () => {
    const r = await run({ ...withToken(), PLUGIN_HOMESERVER: 'http://127.0.0.1:1', PLUGIN_TIMEOUT: '30s' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /settings\.roomid: cannot reach Matrix/);
  });

  test('a homeserver that never answers: the step ends at settings.timeout', async () => {
    const silent = await startHostileServer({ kind: 'silent' });
    try {
      const r = await run({ ...withToken(), PLUGIN_HOMESERVER: silent.url, PLUGIN_TIMEOUT: '2s' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no complete answer within settings\.timeout: 2s/);
      noSecretsIn(r.stdout + r.stderr);
    } finally {
      await silent.close();
    }
  });
});
