import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type StandInOptions, writeStandIn } from '../components/kaniko-executor/index.ts';
import { runBundle } from '../support/run-bundle.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A kaniko step whose Docker config directory `prepare` may fill first; the stand-in executor records what it saw. */
async function build(settings: Record<string, string>, opts: { standIn?: StandInOptions; prepare?: (dockerDir: string, dir: string) => void } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'kaniko-hostile-'));
  dirs.push(dir);
  const workspace = join(dir, 'src');
  const dockerDir = join(dir, 'docker');
  mkdirSync(workspace);
  mkdirSync(dockerDir);
  writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
  opts.prepare?.(dockerDir, dir);
  const executor = writeStandIn(dir, opts.standIn);
  const r = await runBundle(
    'kaniko',
    { DRONE: 'true', DRONE_WORKSPACE: workspace, DRONE_BUILD_EVENT: 'push', DRONE_COMMIT_REF: 'refs/heads/main', DRONE_REPO_BRANCH: 'main', DOCKER_CONFIG: dockerDir, PLUGIN_ENV_FILE: join(dir, 'none'), PLUGIN_EXECUTOR: executor.path, PLUGIN_DIGEST_FILE: join(dir, 'digest'), ...settings },
    { cwd: workspace },
  );
  return { ...r, out: r.stdout + r.stderr, ran: executor.record() !== undefined, dockerDir, dir, workspace };
}

test('a context directory that does not exist is an error before the executor runs', async () => {
  const r = await build({ PLUGIN_REPO: 'registry.example.com/team/app', PLUGIN_CONTEXT: 'services/api' });
  assert.equal(r.code, 1, r.out);
  assert.equal(r.ran, false);
  assert.match(r.stderr, new RegExp(`^error: settings\\.context services/api: ${r.workspace}/services/api is not a directory$`, 'm'));
});

test('a 401 from the registry gets a hint naming the registry and the user, never the password', async () => {
  const r = await build(
    { PLUGIN_REPO: 'registry.example.com/team/app', PLUGIN_USERNAME: 'ci-bot', PLUGIN_PASSWORD: 'sortie-registry-password-42' },
    { standIn: { refusePush: true } },
  );
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /UNAUTHORIZED: authentication required/);
  assert.match(r.stderr, /^error: the executor exited with code 1\.$/m);
  assert.match(r.stdout, /^hint: The registry registry\.example\.com refused the credentials of user "ci-bot" \(401\): check settings\.username and settings\.password/m);
  assert.ok(!r.out.includes('sortie-registry-password-42'));
});

test('a 401 with no login for the registry says so', async () => {
  const r = await build({ PLUGIN_REPO: 'ghcr.io/team/app' }, { standIn: { refusePush: true } });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stdout, /^hint: The registry ghcr\.io wants credentials and the step has none for it \(401\): set settings\.username and settings\.password/m);
});

test('a tag that is not a valid tag names where it came from', async () => {
  const cases: Array<[Record<string, string>, Record<string, string>, RegExp]> = [
    [{ PLUGIN_TAGS: 'latest,feature/login' }, {}, /^error: settings\.tags: "feature\/login" is not an image tag/m],
    [{}, { '.tags': '1.0\n-rc\n' }, /^error: the \.tags file of the workspace: "-rc" is not an image tag/m],
    [{ PLUGIN_AUTO_TAG: 'true', PLUGIN_AUTO_TAG_SUFFIX: 'linux/amd64' }, {}, /^error: settings\.auto_tag_suffix: "linux\/amd64" is not an image tag/m],
  ];
  for (const [settings, files, message] of cases) {
    const r = await build(
      { PLUGIN_REPO: 'registry.example.com/team/app', ...settings },
      {
        prepare: (_docker, dir) => {
          for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'src', name), text);
        },
      },
    );
    assert.equal(r.code, 1, r.out);
    assert.equal(r.ran, false);
    assert.match(r.stderr, message);
  }
});

test('the Docker config ends up a 0600 regular file, replacing a 0644 file or a symlink (whose target is untouched)', async () => {
  const settings = { PLUGIN_REPO: 'registry.example.com/team/app', PLUGIN_USERNAME: 'ci-bot', PLUGIN_PASSWORD: 'sortie-registry-password-42' };
  const loose = await build(settings, { prepare: (docker) => writeFileSync(join(docker, 'config.json'), '{"auths": {}}\n', { mode: 0o644 }) });
  assert.equal(loose.code, 0, loose.out);
  assert.equal(statSync(join(loose.dockerDir, 'config.json')).mode & 0o777, 0o600);

  let target = '';
  const linked = await build(settings, {
    prepare: (docker, dir) => {
      target = join(dir, 'elsewhere.json');
      writeFileSync(target, 'not yours\n', { mode: 0o644 });
      symlinkSync(target, join(docker, 'config.json'));
    },
  });
  assert.equal(linked.code, 0, linked.out);
  const written = lstatSync(join(linked.dockerDir, 'config.json'));
  assert.ok(written.isFile() && !written.isSymbolicLink());
  assert.equal(written.mode & 0o777, 0o600);
  assert.match(readFileSync(join(linked.dockerDir, 'config.json'), 'utf8'), /"registry\.example\.com"/);
  assert.equal(readFileSync(target, 'utf8'), 'not yours\n');
  assert.equal(statSync(target).mode & 0o777, 0o644);
});
