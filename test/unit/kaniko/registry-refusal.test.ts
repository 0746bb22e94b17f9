import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refusalHint, refusedRegistry } from '../../../plugins/kaniko/registry-refusal.ts';

test("kaniko's refusals name their registry", () => {
  const push =
    'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for "registry.example.com/team/app:1.0": POST https://registry.example.com/v2/team/app/blobs/uploads/: UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:team/app Type:repository]]';
  assert.equal(refusedRegistry(push), 'registry.example.com');
  assert.equal(refusedRegistry('ERROR[0001] Error while retrieving image from cache: GET https://cache.example.com/v2/x/manifests/y: unexpected status code 401 Unauthorized'), 'cache.example.com');
  assert.equal(refusedRegistry('checking push permission for "foo/bar:1": UNAUTHORIZED: authentication required'), 'index.docker.io');
  assert.equal(refusedRegistry('error: UNAUTHORIZED'), '');
  assert.equal(refusedRegistry('INFO[0000] Retrieving image manifest alpine:3.20'), undefined);
});

test('the hint names the user of the login, never the password', () => {
  const config = { auths: { 'registry.example.com': { auth: Buffer.from('ci-bot:hunter2').toString('base64') } } };
  const hint = refusalHint('registry.example.com', config, 'x');
  assert.match(hint, /refused the credentials of user "ci-bot"/);
  assert.ok(!hint.includes('hunter2'));
  assert.match(refusalHint('', { auths: {} }, 'ghcr.io'), /^The registry ghcr\.io wants credentials and the step has none for it/);
  assert.match(refusalHint('123.dkr.ecr.eu-west-1.amazonaws.com', { auths: {}, credHelpers: { '123.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' } }, 'x'), /from the ecr-login credential helper/);
});
