import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type StandInOptions, writeStandIn } from '../components/kaniko-executor/index.ts';
import { runBundle } from '../support/run-bundle.ts';
import { assertNoSecret } from '../support/secrets.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function kaniko(env: Record<string, string>, standIn: StandInOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'kaniko-secrets-'));
  dirs.push(dir);
  const workspace = join(dir, 'src');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
  const executor = writeStandIn(dir, standIn);
  const r = await runBundle(
    'kaniko',
    {
      DRONE_WORKSPACE: workspace,
      DRONE_BUILD_EVENT: 'push',
      DRONE_COMMIT_REF: 'refs/heads/main',
      DRONE_REPO_BRANCH: 'main',
      DOCKER_CONFIG: join(dir, 'docker'),
      PLUGIN_ENV_FILE: join(dir, 'no-status-file'),
      PLUGIN_EXECUTOR: executor.path,
      PLUGIN_DIGEST_FILE: join(dir, 'digest'),
      ...env,
    },
    { cwd: workspace },
  );
  return { ...r, output: r.stdout + r.stderr };
}

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
    { stdout: [`channel latest salt ${salt} npm ${npm}`, 'key id AKIAEXAMPLE12345'] },
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
