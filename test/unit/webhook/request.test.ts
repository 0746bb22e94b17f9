import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { buildContext } from '../../../shared/context/index.ts';
import { readSettings } from '../../../shared/settings/index.ts';
import { defaultBody, isDelivered, planRequest, shownHeaders } from '../../../plugins/webhook/request.ts';
import { settings } from '../../../plugins/webhook/settings.ts';
import { droneBuildEnv } from '../../support/drone-env.ts';

const valuesOf = (env: Record<string, string>) => readSettings(settings, { PLUGIN_URLS: 'https://hooks.example.com/x', ...env }).values;

test('planRequest: content type, headers, basic auth, and a signature of the exact body', () => {
  const basic = planRequest(valuesOf({ PLUGIN_USERNAME: 'u', PLUGIN_PASSWORD: 'p', PLUGIN_HEADERS: 'X-A=1,X-B=a=b' }), 'body');
  assert.deepEqual(basic, { method: 'POST', body: 'body', headers: { 'Content-Type': 'application/json', 'X-A': '1', 'X-B': 'a=b', Authorization: 'Basic dTpw' } });
  const signed = planRequest(valuesOf({ PLUGIN_TOKEN_VALUE: 't0k', PLUGIN_SIGNATURE_SECRET: 'k', PLUGIN_METHOD: 'put' }), '{"a":1}\n');
  assert.equal(signed.method, 'PUT');
  assert.equal(signed.headers.Authorization, 'Bearer t0k');
  assert.equal(signed.headers['X-Drone-Signature'], `sha256=${createHmac('sha256', 'k').update('{"a":1}\n').digest('hex')}`);
  assert.deepEqual(shownHeaders(signed, valuesOf({ PLUGIN_SIGNATURE_SECRET: 'k' })), { 'Content-Type': 'application/json', Authorization: '(hidden)', 'X-Drone-Signature': '(hidden)' });
});

test("defaultBody: plugins/webhook's fields, encoded as Go's json.Encoder does", () => {
  const body = defaultBody(buildContext({ ...droneBuildEnv, DRONE_TAG: 'v1.2.0', DRONE_COMMIT_MESSAGE: 'a <b> & c\u2028' }));
  assert.ok(body.endsWith('}\n'));
  assert.match(body, /"message":"a \\u003cb\\u003e \\u0026 c\\u2028"/);
  const parsed = JSON.parse(body) as { repo: object; build: Record<string, unknown> };
  assert.deepEqual(parsed.repo, { owner: 'octocat', name: 'hello-world' });
  assert.deepEqual(Object.keys(parsed.build), ['tag', 'event', 'number', 'commit', 'ref', 'branch', 'author', 'message', 'status', 'link', 'started', 'created']);
  assert.equal(parsed.build.tag, 'v1.2.0');
});

test('isDelivered: any 2xx by default, only the listed codes otherwise', () => {
  assert.deepEqual([200, 204, 299, 301, 404, 500].map((c) => isDelivered(c, [])), [true, true, true, false, false, false]);
  assert.deepEqual([200, 202, 409].map((c) => isDelivered(c, ['202', '409'])), [false, true, true]);
});
