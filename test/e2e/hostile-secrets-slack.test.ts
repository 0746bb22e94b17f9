import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { droneStepEnv } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';
import { assertNoSecret } from '../support/secrets.ts';

const MASK = '********';
/** A loopback stand-in for Slack that answers every request with `answer`, quoting what it was sent. */
let server: Server;
let base: string;
let answer = { status: 200, body: '' };

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function run(settings: Record<string, string>) {
  const workspace = mkdtempSync(join(tmpdir(), 'slack-secrets-'));
  return runBundle('slack', { ...droneStepEnv(workspace), ...settings });
}

describe('secrets in what the slack plugin prints', () => {
  it('a 3-character token is masked where it stands as a word; the words around it stay', async () => {
    answer = { status: 200, body: 'the token abc is not valid here' };
    const r = await run({ PLUGIN_ACCESS_TOKEN: 'abc', PLUGIN_API_URL: base, PLUGIN_CHANNEL: 'deployments' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /auth\.test at \S+ \(settings\.api_url\) answered HTTP 200 with something that is not JSON \(text\/plain\): the token \*{8} is not valid here/);
    assertNoSecret(r.stdout + r.stderr, 'abc');
  });

  it("a webhook URL's token is masked when the server quotes only its path, or only the token, however short", async () => {
    answer = { status: 404, body: 'no_service for /services/T0/B0/abc (abc)' };
    const r = await run({ PLUGIN_WEBHOOK: `${base}/services/T0/B0/abc` });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /posting to the webhook failed: Slack answered HTTP 404 no_service for \*{8} \(\*{8}\)/);
    assertNoSecret(r.stdout + r.stderr, 'abc');
  });

  it("the runner's git password is a secret; its other variables, with AUTHOR in their names, are not", async () => {
    answer = { status: 400, body: 'netrc Np8Qw2Er4Ty6 author octocat' };
    const r = await run({ PLUGIN_WEBHOOK: `${base}/hook`, DRONE_NETRC_PASSWORD: 'Np8Qw2Er4Ty6', DRONE_COMMIT_AUTHOR: 'octocat' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /HTTP 400 netrc \*{8} author octocat/);
    assertNoSecret(r.stdout + r.stderr, 'Np8Qw2Er4Ty6');
  });

  it('a JSON setting that does not parse is quoted masked before it is cut', async () => {
    const token = 'Jx5Kc7Lv9Bn2Mq4Wz6Ep8Rt';
    const r = await run({ PLUGIN_WEBHOOK: `${base}/hook`, PLUGIN_CUSTOM_BLOCK: `{"blocks": [{"type": "section", "text": ${token}}]}`, DEPLOY_TOKEN: token });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /error: settings\.custom_block: invalid JSON \(Unexpected token .* near .*\*{8}/);
    assertNoSecret(r.stdout + r.stderr, token);
  });

  it('an error body is masked before it is cut at 200 characters', async () => {
    const token = 'Wq2Er4Ty6Ui8Op0As1Df3Gh5';
    answer = { status: 400, body: `${'x'.repeat(190)}${token} trailing` };
    const r = await run({ PLUGIN_WEBHOOK: `${base}/services/T0/B0/${token}` });
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`HTTP 400 ${'x'.repeat(190)}${MASK.slice(0, 10)}`), r.stderr);
    assertNoSecret(r.stdout + r.stderr, token);
  });
});
