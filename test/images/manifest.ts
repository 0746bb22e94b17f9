/**
 * `npm run test:images`, sortie/manifest: the image built as the others are (./images.ts), run as
 * Drone runs a step (read-only, its non-root user, host networking, the workspace mounted) against
 * Debian's docker-registry with a Basic login, given in the workspace's Docker config as a kaniko
 * step leaves it or in the settings; it joins pushed images, and the index is read back. Without an
 * engine it is skipped with the reason, except under CI.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { arches, hostArch } from '../../scripts/images/runtime.ts';
import { LOGIN, type Registry, pullManifest, pushImage, startRegistry } from '../components/registry/index.ts';
import { droneBuildEnv } from '../support/drone-env.ts';
import { assertNoSecret } from '../support/secrets.ts';
import { engine, skipped, testImage, work } from './images.ts';

const image = testImage('manifest');
describe('sortie/manifest', () => {
  let registry: Registry | undefined;

  before(async () => {
    if (engine) registry = await startRegistry({ basicAuth: true });
  });

  after(() => registry?.stop());

  test('joins two images with the Docker config of the workspace, as a Drone step', async (t) => {
    if (skipped(t)) return;
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
      ['run', '--rm', '--network=host', '--read-only', '-v', `${workspace}:/drone/src`, '-w', '/drone/src', ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), image],
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

  test("joins both platforms of a Sortie image as `docker push` left them: a Docker manifest list the engine pulls as its own", async (t) => {
    if (skipped(t)) return;
    const repo = `${registry!.host}/team/slack`;
    await engine!.docker(['login', '--username', LOGIN.username, '--password-stdin', registry!.host], { input: LOGIN.password });
    const pushed: Record<string, string> = {};
    for (const arch of arches) {
      await engine!.docker(['tag', testImage('slack', arch), `${repo}:2.0.0-${arch}`]);
      await engine!.docker(['push', `${repo}:2.0.0-${arch}`]);
      pushed[arch] = (await pullManifest(registry!, 'team/slack', `2.0.0-${arch}`)).digest;
    }
    const workspace = mkdtempSync(join(work, 'ws-'));
    chmodSync(workspace, 0o777);
    const env = {
      ...droneBuildEnv,
      DRONE_WORKSPACE: '/drone/src',
      PLUGIN_TARGET: `${repo}:2.0.0`,
      PLUGIN_TEMPLATE: `${repo}:2.0.0-ARCH`,
      PLUGIN_PLATFORMS: arches.map((a) => `linux/${a}`).join(','),
      PLUGIN_USERNAME: LOGIN.username,
      PLUGIN_PASSWORD: LOGIN.password,
    };
    const r = await engine!.docker(
      ['run', '--rm', '--network=host', '--read-only', '-v', `${workspace}:/drone/src`, '-w', '/drone/src', ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), image],
      { allowFail: true },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assertNoSecret(r.stdout + r.stderr, LOGIN.password);
    const list = await pullManifest(registry!, 'team/slack', '2.0.0');
    assert.equal(list.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    const entries = (list.body as { manifests: Array<{ digest: string; platform: { os: string; architecture: string } }> }).manifests;
    assert.deepEqual(entries.map((m) => [m.platform.os, m.platform.architecture, m.digest]), arches.map((a) => ['linux', a, pushed[a]]));
    assert.match(r.stdout, /\(Docker manifest list, 2 platforms\)/);
    // The engine picks its own platform from the list, as a node of either architecture does.
    await engine!.docker(['pull', `${repo}:2.0.0`]);
    const node = await engine!.docker(['run', '--rm', '--network=none', '--read-only', '--entrypoint', '/usr/local/bin/node', `${repo}:2.0.0`, '-p', 'process.arch']);
    assert.equal(node.stdout.trim(), hostArch() === 'amd64' ? 'x64' : 'arm64');
  });
});
