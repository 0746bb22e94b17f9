import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kaniko } from '../support/kaniko.ts';
import { assertNoSecret } from '../support/secrets.ts';

test('build_args from .drone.yml are shown (CHANNEL=latest leaves the pushed tag readable); build_args_from_env and secrets values are masked, their names and ids are not', async () => {
  const salt = 'SaltV4lue9x8c7';
  const npm = 'NpmT0kenV4lue6';
  const r = await kaniko(
    {
      PLUGIN_REPO: 'registry.local:5000/team/app',
      PLUGIN_TAGS: 'latest',
      PLUGIN_BUILD_ARGS: 'CHANNEL=latest',
      PLUGIN_BUILD_ARGS_FROM_ENV: 'BUILD_SALT',
      BUILD_SALT: salt,
      PLUGIN_SECRETS: 'NPM_TOKEN',
      NPM_TOKEN: npm,
      // Declared as not secret: an AWS access key id names the key, as a username does.
      PLUGIN_ACCESS_KEY: 'AKIAEXAMPLE12345',
      PLUGIN_SECRET_KEY: 'Kq3wAwsS5e7rZ',
    },
    { standIn: { stdout: [`channel latest salt ${salt} npm ${npm}`, 'key id AKIAEXAMPLE12345'] } },
  );
  assert.equal(r.code, 0, r.output);
  assert.match(r.stdout, /--destination=registry\.local:5000\/team\/app:latest /);
  assert.match(r.stdout, / --build-arg=CHANNEL=latest --build-arg=BUILD_SALT /);
  assert.match(r.stdout, / --secret=id=NPM_TOKEN,env=NPM_TOKEN /);
  assert.match(r.stdout, /^channel latest salt \*{8} npm \*{8}$/m);
  assert.match(r.stdout, /^key id AKIAEXAMPLE12345$/m);
  assert.match(r.stdout, /^pushed registry\.local:5000\/team\/app:latest@sha256:/m);
  for (const secret of [salt, npm, 'Kq3wAwsS5e7rZ']) assertNoSecret(r.output, secret);
});

test('a malformed build arg is quoted masked before it is cut at 40 characters', async () => {
  const token = 'Zx8Cv6Bn4Mm2Ll0Kj9Hg';
  const r = await kaniko({ PLUGIN_REPO: 'a/b', PLUGIN_BUILD_ARGS: `NOTE with some padding words ${token},A=1`, DEPLOY_TOKEN: token });
  assert.equal(r.code, 1, r.output);
  assert.equal(r.record, undefined);
  assert.match(r.stderr, /error: settings\.build_args: expected key=value pairs, "NOTE with some padding words \*{8}" has no "="/);
  assertNoSecret(r.output, token);
});
