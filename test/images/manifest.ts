/**
 * `npm run test:images`, sortie/manifest: the image built as the others are, run as Drone runs a
 * step (read-only, its non-root user, host networking, the workspace mounted) against the engine's
 * own docker-registry, with its Basic login in the workspace's Docker config as a kaniko step
 * leaves it; the index read back. Without an engine it is skipped with the reason, except under CI.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildImage, imageName } from '../../scripts/images/build.ts';
import { type Engine, engineUnavailable, startEngine } from '../../scripts/images/engine.ts';
import { LOGIN, type Registry, pullManifest, pushImage, startRegistry } from '../components/registry/index.ts';
import { droneBuildEnv } from '../support/drone-env.ts';
import { assertNoSecret } from '../support/secrets.ts';

const CI = /^(true|1)$/i.test(process.env.CI ?? '');
const IMAGE = `${imageName('sortie-test', 'manifest')}:images-test`;

let engine: Engine | undefined;
let registry: Registry | undefined;
let skipReason: string | undefined;
let work: string;

before(async () => {
  try {
    const unavailable = engineUnavailable();
    if (unavailable) throw new Error(unavailable);
    engine = await startEngine({ log: (l) => console.error(`# ${l}`) });
  } catch (err) {
    if (CI) throw new Error(`CI needs a Docker engine for the image tests and none could start: ${(err as Error).message}`);
    skipReason = `no Docker engine: ${(err as Error).message.split('\n')[0]}`;
    return;
  }
  work = mkdtempSync(join(tmpdir(), 'sortie-manifest-image-'));
  chmodSync(work, 0o755);
  await buildImage(engine, 'manifest', { out: join(work, 'contexts'), tags: [IMAGE] });
  registry = await startRegistry({ basicAuth: true });
});

after(async () => {
  await registry?.stop();
  await engine?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('sortie/manifest joins two images with the Docker config of the workspace, as a Drone step', async (t) => {
  if (skipReason) return t.skip(skipReason);
  await pushImage(registry!, 'team/app', '1.0.0-amd64', { architecture: 'amd64' });
  await pushImage(registry!, 'team/app', '1.0.0-arm64', { architecture: 'arm64', variant: 'v8' });
  const workspace = mkdtempSync(join(work, 'ws-'));
  chmodSync(workspace, 0o777);
  mkdirSync(join(workspace, '.docker'), { mode: 0o755 });
  const auth = Buffer.from(`${LOGIN.username}:${LOGIN.password}`).toString('base64');
  writeFileSync(join(workspace, '.docker', 'config.json'), JSON.stringify({ auths: { [registry!.host]: { auth } } }), { mode: 0o644 });
  const env = {
    ...droneBuildEnv,
    DRONE_WORKSPACE: '/drone/src',
    DOCKER_CONFIG: '/drone/src/.docker',
    PLUGIN_TARGET: `${registry!.host}/team/app:1.0.0`,
    PLUGIN_TEMPLATE: `${registry!.host}/team/app:1.0.0-ARCH`,
    PLUGIN_PLATFORMS: 'linux/amd64,linux/arm64',
    PLUGIN_TAGS: 'latest',
    PLUGIN_ARTIFACT_FILE: 'image.json',
  };
  // The workspace is writable for the artifact; the image's own file system is not.
  const r = await engine!.docker(
    ['run', '--rm', '--network=host', '--read-only', '-v', `${workspace}:/drone/src`, '-w', '/drone/src', ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), IMAGE],
    { allowFail: true },
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assertNoSecret(r.stdout + r.stderr, LOGIN.password);
  for (const tag of ['1.0.0', 'latest']) {
    const index = await pullManifest(registry!, 'team/app', tag);
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual((index.body as { manifests: Array<{ platform: unknown }> }).manifests.map((m) => m.platform), [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
  }
  assert.match(r.stdout, /pushed 127\.0\.0\.1:\d+\/team\/app:latest@sha256:[0-9a-f]{64} \(OCI image index, 2 platforms\)/);
});
