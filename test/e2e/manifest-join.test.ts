import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Registry, pullManifest, pushImage, registryMissing, startRegistry } from '../components/registry/index.ts';
import { droneBuildEnv } from '../support/drone-env.ts';
import { repoRoot, runBundle } from '../support/run-bundle.ts';

/** The bundled plugin against the real docker-registry on loopback, without auth. */
const missing = registryMissing();
let registry: Registry;
before(async () => {
  if (!missing) registry = await startRegistry();
});
after(() => registry?.stop());

function run(settings: Record<string, string>, extra: Record<string, string> = {}) {
  const workspace = mkdtempSync(join(tmpdir(), 'manifest-ws-'));
  return runBundle('manifest', { ...droneBuildEnv, DRONE_WORKSPACE: workspace, PLUGIN_ENV_FILE: join(workspace, 'none'), DOCKER_CONFIG: join(workspace, 'no-docker-config'), ...settings, ...extra }, { cwd: workspace }).then((r) => ({ ...r, workspace }));
}

interface Index {
  mediaType: string;
  manifests: Array<{ mediaType: string; digest: string; size: number; platform: { os: string; architecture: string; variant?: string } }>;
}

describe('manifest: joining per-architecture images', { skip: missing }, () => {
  test('two single-platform images become one OCI index under the target tag, read back from the registry', async () => {
    const amd = await pushImage(registry, 'team/app', '1.2.3-amd64', { architecture: 'amd64' });
    const arm = await pushImage(registry, 'team/app', '1.2.3-arm64', { architecture: 'arm64', variant: 'v8' });
    const r = await run({
      PLUGIN_TARGET: `${registry.host}/team/app:1.2.3`,
      PLUGIN_TEMPLATE: `${registry.host}/team/app:1.2.3-ARCH`,
      PLUGIN_PLATFORMS: 'linux/amd64,linux/arm64',
      PLUGIN_ARTIFACT_FILE: 'artifact.json',
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const pulled = await pullManifest(registry, 'team/app', '1.2.3');
    assert.equal(pulled.status, 200);
    assert.equal(pulled.mediaType, 'application/vnd.oci.image.index.v1+json');
    const index = pulled.body as Index;
    assert.deepEqual(
      index.manifests.map((m) => [m.digest, m.platform]),
      [
        [amd.digest, { os: 'linux', architecture: 'amd64' }],
        [arm.digest, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
      ],
    );
    assert.ok(index.manifests.every((m) => m.mediaType === 'application/vnd.oci.image.manifest.v1+json' && m.size > 0));
    assert.match(r.stdout, new RegExp(`linux/amd64: ${registry.host}/team/app:1\\.2\\.3-amd64 ${amd.digest}`));
    assert.match(r.stdout, new RegExp(`linux/arm64/v8: ${registry.host}/team/app:1\\.2\\.3-arm64 ${arm.digest}`));
    const artifact = JSON.parse(readFileSync(join(r.workspace, 'artifact.json'), 'utf8'));
    assert.deepEqual(artifact, { kind: 'docker/v1', data: { registryType: 'Docker', registryUrl: registry.host, images: [{ image: `${registry.host}/team/app:1.2.3`, digest: pulled.digest }] } });
  });

  test('Docker schema 2 sources give a Docker manifest list; tags add more tags; sources in another repository are mounted', async () => {
    const amd = await pushImage(registry, 'build/amd64', 'b7', { architecture: 'amd64' }, { docker: true });
    const arm = await pushImage(registry, 'build/arm64', 'b7', { architecture: 'arm64' }, { docker: true });
    const r = await run({
      PLUGIN_TARGET: `${registry.host}/team/web:b7`,
      PLUGIN_TEMPLATE: `${registry.host}/build/ARCH:b7`,
      PLUGIN_PLATFORMS: 'linux/amd64,linux/arm64',
      PLUGIN_TAGS: 'latest,stable',
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    for (const tag of ['b7', 'latest', 'stable']) {
      const pulled = await pullManifest(registry, 'team/web', tag);
      assert.equal(pulled.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json', tag);
      assert.deepEqual((pulled.body as Index).manifests.map((m) => m.digest), [amd.digest, arm.digest]);
    }
    // The index names manifests the target repository holds, with their blobs.
    for (const image of [amd, arm]) {
      assert.equal((await pullManifest(registry, 'team/web', image.digest)).status, 200);
      const blob = await fetch(`http://${registry.host}/v2/team/web/blobs/${image.layerDigest}`, { method: 'HEAD' });
      assert.equal(blob.status, 200);
    }
  });

  test('a missing platform fails naming it, and nothing is pushed; with ignore_missing it is left out', async () => {
    await pushImage(registry, 'team/cli', '2.0.0-amd64', { architecture: 'amd64' });
    const settings = { PLUGIN_TARGET: `${registry.host}/team/cli:2.0.0`, PLUGIN_TEMPLATE: `${registry.host}/team/cli:2.0.0-ARCH`, PLUGIN_PLATFORMS: 'linux/amd64,linux/arm64' };
    const failed = await run(settings);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, new RegExp(`error: ${registry.host}/team/cli:2\\.0\\.0-arm64 \\(linux/arm64\\) does not exist`));
    assert.equal((await pullManifest(registry, 'team/cli', '2.0.0')).status, 404);

    const r = await run({ ...settings, PLUGIN_IGNORE_MISSING: 'true' });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /team\/cli:2\.0\.0-arm64 \(linux\/arm64\) does not exist: left out \(ignore_missing\)/);
    const index = (await pullManifest(registry, 'team/cli', '2.0.0')).body as Index;
    assert.deepEqual(index.manifests.map((m) => m.platform.architecture), ['amd64']);
  });

  test('an image whose config says amd64 under an -arm64 tag is an error naming it', async () => {
    await pushImage(registry, 'team/api', '3-amd64', { architecture: 'amd64' });
    await pushImage(registry, 'team/api', '3-arm64', { architecture: 'amd64' });
    const r = await run({ PLUGIN_TARGET: `${registry.host}/team/api:3`, PLUGIN_TEMPLATE: `${registry.host}/team/api:3-ARCH`, PLUGIN_PLATFORMS: 'linux/amd64,linux/arm64' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`error: ${registry.host}/team/api:3-arm64 is linux/amd64, not linux/arm64: its config says architecture amd64, os linux`));
    assert.equal((await pullManifest(registry, 'team/api', '3')).status, 404);
  });

  test('a manifest-tool spec file, rendered with build.tags from auto_tag', async () => {
    await pushImage(registry, 'team/spec', '1.4.0-amd64', { architecture: 'amd64' });
    await pushImage(registry, 'team/spec', '1.4.0-arm-v7', { architecture: 'arm', variant: 'v7' });
    const spec = [
      `image: ${registry.host}/team/spec:{{build.tag}}`,
      'tags:',
      '{{#each build.tags}}',
      '  - "{{this}}"',
      '{{/each}}',
      'manifests:',
      `  - image: ${registry.host}/team/spec:{{build.tag}}-amd64`,
      '    platform: { architecture: amd64, os: linux }',
      `  - image: ${registry.host}/team/spec:{{build.tag}}-arm-v7`,
      '    platform: { architecture: arm, os: linux, variant: v7 }',
      '',
    ].join('\n');
    const workspace = mkdtempSync(join(tmpdir(), 'manifest-spec-'));
    writeFileSync(join(workspace, 'manifest.yml'), spec);
    const r = await run(
      { PLUGIN_SPEC: 'manifest.yml', PLUGIN_AUTO_TAG: 'true' },
      { DRONE_WORKSPACE: workspace, DRONE_BUILD_EVENT: 'tag', DRONE_TAG: '1.4.0', DRONE_COMMIT_REF: 'refs/tags/1.4.0' },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    for (const tag of ['1.4.0', '1', '1.4']) {
      const index = (await pullManifest(registry, 'team/spec', tag)).body as Index;
      assert.deepEqual(index.manifests.map((m) => m.platform), [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm', variant: 'v7' }], tag);
    }
  });

  test("the README's manifest.tmpl, on a tag build and on the default branch", async () => {
    const readme = readFileSync(join(repoRoot, 'plugins', 'manifest', 'README.md'), 'utf8');
    const spec = /`manifest\.tmpl`.*?```yaml\n(.*?)```/s.exec(readme)![1]!.replaceAll('registry.example.com', registry.host);
    const workspace = mkdtempSync(join(tmpdir(), 'manifest-readme-'));
    writeFileSync(join(workspace, 'manifest.tmpl'), spec);
    for (const [tag, env, expected] of [
      ['1.2.3', { DRONE_BUILD_EVENT: 'tag', DRONE_TAG: 'v1.2.3', DRONE_COMMIT_REF: 'refs/tags/v1.2.3' }, ['1.2.3', '1', '1.2']],
      ['latest', {}, ['latest']],
    ] as const) {
      await pushImage(registry, 'team/app', `${tag}-amd64`, { architecture: 'amd64' });
      await pushImage(registry, 'team/app', `${tag}-arm64`, { architecture: 'arm64' });
      const r = await run({ PLUGIN_SPEC: 'manifest.tmpl', PLUGIN_AUTO_TAG: 'true' }, { DRONE_WORKSPACE: workspace, ...env });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      for (const t of expected) {
        const index = (await pullManifest(registry, 'team/app', t)).body as Index;
        assert.deepEqual(index.manifests.map((m) => m.platform.architecture), ['amd64', 'arm64'], t);
      }
    }
  });

  test('auto_tag on a feature branch joins nothing', async () => {
    const r = await run({ PLUGIN_TARGET: `${registry.host}/team/x:1`, PLUGIN_TEMPLATE: `${registry.host}/team/x:1-ARCH`, PLUGIN_PLATFORMS: 'linux/amd64', PLUGIN_AUTO_TAG: 'true' }, { DRONE_COMMIT_REF: 'refs/heads/feature' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /auto_tag: skipping/);
  });
});
