import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LOGIN, type Registry, pullManifest, pushImage, registryMissing, startRegistry } from '../components/registry/index.ts';
import { droneBuildEnv } from '../support/drone-env.ts';
import { kaniko } from '../support/kaniko.ts';
import { runBundle } from '../support/run-bundle.ts';
import { assertNoSecret } from '../support/secrets.ts';

/**
 * The two halves of a multi-arch build: kaniko steps that push `repo:tag-<arch>` (the stand-in
 * executor records what it was told), then sortie/manifest joining them with the login the
 * kaniko step wrote into the Docker config.
 */
const ARCH = process.arch === 'x64' ? 'amd64' : process.arch;

describe('kaniko: the per-architecture build', () => {
  test("platform_tag_suffix tags with the node's architecture; the cache is keyed by platform", async () => {
    const r = await kaniko({ PLUGIN_REPO: 'registry.example.com/team/app', PLUGIN_TAGS: '1.2.3,latest', PLUGIN_PLATFORM_TAG_SUFFIX: 'true', PLUGIN_ENABLE_CACHE: 'true' });
    assert.equal(r.code, 0, r.output);
    const destinations = r.record!.argv.filter((a) => a.startsWith('--destination='));
    assert.deepEqual(destinations, [`--destination=registry.example.com/team/app:1.2.3-${ARCH}`, `--destination=registry.example.com/team/app:latest-${ARCH}`]);
    assert.equal(r.record!.env.FF_KANIKO_PLATFORM_CACHE_KEY, 'true');
    assert.match(r.stdout, new RegExp(`platform_tag_suffix: the tags end in -${ARCH} \\(the node's architecture\\)`));
  });

  test('settings.platform names the suffix; a pipeline declaring another arch is warned about', async () => {
    const r = await kaniko({ PLUGIN_REPO: 'registry.example.com/team/app', PLUGIN_TAGS: '7', PLUGIN_PLATFORM_TAG_SUFFIX: 'true', PLUGIN_PLATFORM: 'linux/arm64', DRONE_STAGE_ARCH: 'amd64' });
    assert.equal(r.code, 0, r.output);
    assert.ok(r.record!.argv.includes('--destination=registry.example.com/team/app:7-arm64'), r.record!.argv.join(' '));
    assert.match(r.stderr, /warning: settings.platform_tag_suffix: the pipeline declares arch amd64 but the image is built for arm64 \(settings.platform\)/);
  });

  test('repo as a list pushes to each registry, each with its own login', async () => {
    const r = await kaniko({
      PLUGIN_REPO: 'registry.example.com/team/app,ghcr.io/team/app',
      PLUGIN_TAGS: '1',
      PLUGIN_USERNAME: 'ci',
      PLUGIN_PASSWORD: 'Kx81-first-login',
      PLUGIN_REGISTRIES: JSON.stringify([{ registry: 'ghcr.io', username: 'bot', password: 'Qz52-second-login' }]),
    });
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(r.record!.argv.filter((a) => a.startsWith('--destination=')), ['--destination=registry.example.com/team/app:1', '--destination=ghcr.io/team/app:1']);
    const auths = (r.record!.dockerConfig as { auths: Record<string, { auth: string }> }).auths;
    assert.equal(Buffer.from(auths['registry.example.com']!.auth, 'base64').toString(), 'ci:Kx81-first-login');
    assert.equal(Buffer.from(auths['ghcr.io']!.auth, 'base64').toString(), 'bot:Qz52-second-login');
    assert.match(r.stdout, /pushed registry\.example\.com\/team\/app:1@sha256:/);
    assert.match(r.stdout, /pushed ghcr\.io\/team\/app:1@sha256:/);
    assertNoSecret(r.output, 'Kx81-first-login');
    assertNoSecret(r.output, 'Qz52-second-login');
  });
});

describe('manifest with the Docker config a kaniko step wrote', { skip: registryMissing() }, () => {
  let registry: Registry;
  before(async () => {
    registry = await startRegistry({ basicAuth: true });
  });
  after(() => registry?.stop());

  test('the kaniko login for the registry is the one the manifest step uses', async () => {
    // The kaniko step of one architecture: it writes the Docker config (DOCKER_CONFIG in the workspace, shared by the steps).
    const build = await kaniko({ PLUGIN_REPO: `${registry.host}/team/app`, PLUGIN_TAGS: '2.0.0', PLUGIN_PLATFORM_TAG_SUFFIX: 'true', PLUGIN_USERNAME: LOGIN.username, PLUGIN_PASSWORD: LOGIN.password });
    assert.equal(build.code, 0, build.output);
    const dockerConfig = join(build.dir, 'docker');
    assert.ok(JSON.parse(readFileSync(join(dockerConfig, 'config.json'), 'utf8')).auths[registry.host]);
    // What the executors of both architectures would have pushed.
    await pushImage(registry, 'team/app', '2.0.0-amd64', { architecture: 'amd64' });
    await pushImage(registry, 'team/app', '2.0.0-arm64', { architecture: 'arm64' });

    const r = await runBundle(
      'manifest',
      {
        ...droneBuildEnv,
        DRONE_WORKSPACE: build.workspace,
        PLUGIN_ENV_FILE: join(build.dir, 'none'),
        DOCKER_CONFIG: dockerConfig,
        PLUGIN_TARGET: `${registry.host}/team/app:2.0.0`,
        PLUGIN_TEMPLATE: `${registry.host}/team/app:2.0.0-ARCH`,
        PLUGIN_PLATFORMS: 'linux/amd64,linux/arm64',
      },
      { cwd: build.workspace },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assertNoSecret(r.stdout + r.stderr, LOGIN.password);
    const index = await pullManifest(registry, 'team/app', '2.0.0');
    assert.deepEqual((index.body as { manifests: Array<{ platform: { architecture: string } }> }).manifests.map((m) => m.platform.architecture), ['amd64', 'arm64']);
  });
});
