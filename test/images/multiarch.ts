/**
 * `npm run test:images`: every plugin image for linux/amd64 and linux/arm64, built on this machine
 * without emulation (the layers are files), published as an OCI image index to a local registry
 * (Debian's docker-registry) and read back: the index's platforms, each manifest's config
 * architecture and layers, and the ELF machine of the Node binary inside each. Then the arm64
 * image runs as Drone runs it, where this machine can run arm64 binaries (qemu-user-static with
 * binfmt_misc; without binfmt, the staged arm64 root filesystem under qemu-aarch64-static -L).
 * Without an engine, or without any way to run arm64, the tests are skipped with the reason,
 * except under CI, where that fails.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dockerfile } from '../../scripts/images/build.ts';
import { getBlob, getIndex, getManifest, layerTar, parseRepo, untarAll } from '../../scripts/images/oci.ts';
import { type Arch, arches, elfMachine, hostArch, onPath, platforms } from '../../scripts/images/runtime.ts';
import { plugins } from '../../scripts/images/stage.ts';
import { publish } from '../../scripts/release.ts';
import { runProcess } from '../support/process.ts';
import { type SlackStandIn, startSlackStandIn } from '../components/slack/server.ts';
import { defaultSlackStep, droneBuildEnv } from '../support/drone-env.ts';
import { CI, engine, skipped, testImage, work } from './images.ts';

const TAG = 'multiarch-test';
const local = Object.fromEntries(plugins.map((p) => [p, Object.fromEntries(arches.map((a) => [a, testImage(p, a)]))]));
const foreign = arches.find((a) => a !== hostArch())!;

/** Where each image keeps its Node binary (kaniko's lives under /kaniko, which kaniko never deletes). */
const nodePath = (plugin: string) => (dockerfile(plugin).path.endsWith(join('scratch', 'Dockerfile')) ? 'usr/local/bin/node' : 'kaniko/sortie/node');

describe('both platforms of every image', () => {
  test('published as OCI image indexes (zstd layers); each platform read back and checked', async (t) => {
    if (skipped(t)) return;
    const prefix = `${engine!.registry}/zstd/sortie`;
    const published = await publish(engine!, local, { prefix, tags: [TAG, 'latest'], compression: 'zstd', zstdLevel: 3, log: (l) => console.error(`# ${l}`) });
    assert.deepEqual(published.map((p) => p.plugin), [...plugins]);
    for (const p of published) {
      const repo = parseRepo(p.repository);
      for (const tag of [TAG, 'latest']) {
        const { index, digest, mediaType } = await getIndex(repo, tag);
        assert.equal(digest, p.digest, `${p.plugin}:${tag} is the index published`);
        assert.equal(mediaType, 'application/vnd.oci.image.index.v1+json');
        assert.deepEqual(index.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`), ['linux/amd64', 'linux/arm64']);
      }
      const { index } = await getIndex(repo, p.digest);
      const runtimeLayers: string[] = [];
      for (const entry of index.manifests) {
        const arch = entry.platform!.architecture as Arch;
        const what = `${p.plugin} linux/${arch}`;
        assert.equal(entry.mediaType, 'application/vnd.oci.image.manifest.v1+json', what);
        const { manifest, raw } = await getManifest(repo, entry.digest);
        assert.equal(Buffer.byteLength(raw), entry.size, `${what}: the index names the manifest's size`);
        const config = JSON.parse((await getBlob(repo, manifest.config)).toString()) as { architecture: string; os: string; config: { Entrypoint: string[] }; rootfs: { diff_ids: string[] } };
        assert.equal(config.architecture, arch, `${what}: the config's architecture`);
        assert.equal(config.os, 'linux', what);
        assert.ok(manifest.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+zstd'), what);
        assert.equal(manifest.layers.length, config.rootfs.diff_ids.length, what);
        // The last two layers are Sortie's: the runtime (Node and its libraries) and the plugin.
        const [runtime, plugin] = manifest.layers.slice(-2);
        const files = untarAll(await layerTar(repo, runtime!));
        const node = files.get(nodePath(p.plugin));
        assert.ok(node, `${what}: /${nodePath(p.plugin)} is in the runtime layer`);
        assert.equal(elfMachine(node), platforms[arch].elfMachine, `${what}: /${nodePath(p.plugin)} is built for ${arch} (ELF machine ${platforms[arch].elfMachine})`);
        const loader = [...files.keys()].find((f) => /ld-linux-[^/]+\.so\.\d$/.test(f));
        assert.ok(loader && elfMachine(files.get(loader)!) === platforms[arch].elfMachine, `${what}: its dynamic loader ${loader} is ${arch}'s`);
        const libc = [...files.keys()].find((f) => f.endsWith('/libc.so.6'));
        assert.ok(libc && elfMachine(files.get(libc)!) === platforms[arch].elfMachine, `${what}: its libc is ${arch}'s`);
        assert.ok(untarAll(await layerTar(repo, plugin!)).size > 0, `${what}: the plugin layer`);
        assert.equal(p.platforms.find((x) => x.arch === arch)?.digest, entry.digest, what);
        runtimeLayers.push(runtime!.digest);
        if (p.plugin !== 'kaniko') assert.deepEqual(config.config.Entrypoint, ['/usr/local/bin/node', '/sortie/plugin.js'], what);
        else assert.equal(config.config.Entrypoint[0], '/kaniko/sortie/ld.so', what);
      }
      assert.notEqual(runtimeLayers[0], runtimeLayers[1], `${p.plugin}: each platform has its own runtime`);
    }
    // The images FROM scratch share one runtime layer a platform: a node that pulls several fetches it once.
    const runtimeOf = async (plugin: string, arch: Arch) => {
      const p = published.find((x) => x.plugin === plugin)!;
      const m = await getManifest(parseRepo(p.repository), p.platforms.find((x) => x.arch === arch)!.digest);
      return m.manifest.layers.at(-2)!.digest;
    };
    for (const arch of arches) assert.equal(await runtimeOf('slack', arch), await runtimeOf('kubernetes', arch), `linux/${arch}`);
  });

  test('published with gzip layers: this engine pulls the index as its own platform', async (t) => {
    if (skipped(t)) return;
    const prefix = `${engine!.registry}/gzip/sortie`;
    const [slack] = await publish(engine!, { slack: local.slack! }, { prefix, tags: [TAG], compression: 'gzip', log: (l) => console.error(`# ${l}`) });
    const ref = `${slack!.repository}@${slack!.digest}`;
    const r = await engine!.docker(['run', '--rm', '--network=none', '--read-only', '--entrypoint', '/usr/local/bin/node', ref, '-p', 'process.arch']);
    assert.equal(r.stdout.trim(), hostArch() === 'amd64' ? 'x64' : 'arm64');
  });
});

/**
 * How this machine runs arm64 binaries: `docker` when binfmt_misc has a qemu-aarch64 handler that
 * a container can use (flag F: the interpreter is opened when registered), `qemu` for the staged
 * root filesystem under qemu-aarch64-static -L, or why neither can.
 */
function foreignRunner(): { kind: 'docker' | 'qemu'; reason?: undefined } | { kind: 'none'; reason: string } {
  const qemu = `qemu-${foreign === 'arm64' ? 'aarch64' : 'x86_64'}`;
  const handler = `/proc/sys/fs/binfmt_misc/${qemu}`;
  if (existsSync(handler)) {
    const text = readFileSync(handler, 'utf8');
    if (text.startsWith('enabled') && /^flags: .*F/m.test(text)) return { kind: 'docker' };
  }
  if (onPath(`${qemu}-static`)) return { kind: 'qemu' };
  return { kind: 'none', reason: `this machine cannot run ${foreign} binaries: no ${handler} (binfmt_misc with flag F) and no ${qemu}-static (apt-get install qemu-user-static)` };
}

describe(`the ${foreign} images run as Drone runs them`, () => {
  let slack: SlackStandIn;
  const runner = foreignRunner();
  before(async () => {
    if (engine) slack = await startSlackStandIn();
  });
  after(() => slack?.close());

  const notRunnable = (t: { skip(message?: string): void }) => {
    if (skipped(t)) return true;
    if (runner.kind !== 'none') return false;
    if (CI) throw new Error(`CI runs the ${foreign} images: ${runner.reason} (.ci/run installs qemu-user-static)`);
    t.skip(runner.reason);
    return true;
  };

  test(`sortie/slack for linux/${foreign} posts the default message`, async (t) => {
    if (notRunnable(t)) return;
    slack.received.length = 0;
    const env = { ...droneBuildEnv, DRONE_WORKSPACE: '/drone/src', PLUGIN_WEBHOOK: slack.webhookUrl, PLUGIN_ENV_FILE: '/nonexistent', ...defaultSlackStep.settings };
    let r: { code: number | null; stdout: string; stderr: string };
    if (runner.kind === 'docker') {
      const ws = mkdtempSync(join(work, 'ws-'));
      chmodSync(ws, 0o777);
      r = await engine!.docker(
        ['run', '--rm', '--platform', `linux/${foreign}`, '--network=host', '--read-only', '-v', `${ws}:/drone/src`, '-w', '/drone/src', ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), testImage('slack', foreign)],
        { allowFail: true },
      );
    } else {
      // The layers as staged: the runtime's root filesystem, the plugin's bundle beside it.
      const context = join(work, 'contexts', foreign, 'slack');
      const qemu = `qemu-${foreign === 'arm64' ? 'aarch64' : 'x86_64'}-static`;
      r = await runProcess(qemu, ['-L', join(context, 'runtime'), join(context, 'runtime', 'usr', 'local', 'bin', 'node'), join(context, 'plugin', 'sortie', 'plugin.js')], { env: { ...env, PATH: process.env.PATH } });
    }
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.stdout, 'sent the success message to #deployments\n');
    assert.deepEqual(slack.received.map((q) => q.body), [defaultSlackStep.payload]);
  });

  test(`the linux/${foreign} Node reports its own architecture`, async (t) => {
    if (notRunnable(t)) return;
    if (runner.kind !== 'docker') return t.skip('needs binfmt_misc to run the image itself; the root filesystem ran above');
    const r = await engine!.docker(['run', '--rm', '--platform', `linux/${foreign}`, '--network=none', '--read-only', '--entrypoint', '/usr/local/bin/node', testImage('kubernetes', foreign), '-p', 'process.arch']);
    assert.equal(r.stdout.trim(), foreign === 'arm64' ? 'arm64' : 'x64');
  });

  test(`sortie/kaniko for linux/${foreign} starts Node through its own loader and runs the executor`, async (t) => {
    if (notRunnable(t)) return;
    if (runner.kind !== 'docker') return t.skip('needs binfmt_misc to run the image itself');
    const ws = mkdtempSync(join(work, 'ws-'));
    chmodSync(ws, 0o777);
    writeFileSync(join(ws, 'Dockerfile'), 'FROM scratch\nCOPY Dockerfile /\n', { mode: 0o644 });
    const env = { ...droneBuildEnv, DRONE_WORKSPACE: '/drone/src', PLUGIN_REPO: 'registry.example.com/team/app', PLUGIN_TAGS: '1.2.3' };
    const r = await engine!.docker(
      ['run', '--rm', '--platform', `linux/${foreign}`, '--network=host', '-v', `${ws}:/drone/src`, '-w', '/drone/src', ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), testImage('kaniko', foreign)],
      { allowFail: true },
    );
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    // The stand-in executor's digest: the plugin ran it and carried on after it wiped /usr and /lib.
    assert.match(r.stdout + r.stderr, /sha256:0123456789abcdef/);
  });
});
