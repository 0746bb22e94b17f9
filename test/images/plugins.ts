/**
 * `npm run test:images`: every plugin image built with `docker build` on a real Docker engine
 * (Debian's dockerd, started by scripts/images/engine.ts) for this machine's platform and run the
 * way Drone's runners run plugins: PLUGIN_* and DRONE_* environment, the workspace mounted as the
 * working directory, host networking to reach the loopback stand-ins; and the Dockerfiles built
 * again with buildah (daemonless, as kaniko). Both platforms and their publishing:
 * multiarch.ts. Without an engine the tests are skipped with the reason, except under CI,
 * where that fails.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadAll } from 'js-yaml';
import { dockerfile } from '../../scripts/images/build.ts';
import { hostArch, repoRoot } from '../../scripts/images/runtime.ts';
import { type Plugin, plugins } from '../../scripts/images/stage.ts';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { type SlackStandIn, startSlackStandIn } from '../components/slack/server.ts';
import { defaultSlackStep, droneBuildEnv, failedRunnerStatusFile } from '../support/drone-env.ts';
import { dockerStopTests } from './docker-stop.ts';
import { engine, kanikoBase, skipped, testImage, work } from './images.ts';

/** The images FROM scratch (every plugin but kaniko, which has its own Dockerfile). */
const scratchImages = plugins.filter((p) => dockerfile(p).path.endsWith(join('scratch', 'Dockerfile')));

const image = (plugin: Plugin) => testImage(plugin);
const standInBase = kanikoBase(hostArch());

/** A fresh workspace folder the image's user can read, as Drone's workspace volume. */
function workspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(work, 'ws-'));
  chmodSync(dir, 0o777);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: 0o644 });
  return dir;
}

interface DroneStep {
  readonly image: string;
  readonly env: Record<string, string>;
  readonly workspace: string;
  readonly mounts?: ReadonlyArray<readonly [string, string]>;
  /** Everything but kaniko runs read-only. */
  readonly writable?: boolean;
  readonly keep?: string;
}

/** `docker run` as Drone's runners start a plugin step. */
function runStep(step: DroneStep) {
  const env = { ...droneBuildEnv, DRONE_WORKSPACE: '/drone/src', ...step.env };
  return engine!.docker(
    [
      'run',
      ...(step.keep ? ['--name', step.keep] : ['--rm']),
      '--network=host',
      ...(step.writable ? [] : ['--read-only']),
      '-v', `${step.workspace}:/drone/src`,
      '-w', '/drone/src',
      ...(step.mounts ?? []).flatMap(([from, to]) => ['-v', `${from}:${to}:ro`]),
      ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      step.image,
    ],
    { allowFail: true },
  );
}

describe('sortie/slack', () => {
  let slack: SlackStandIn;
  before(async () => {
    if (engine) slack = await startSlackStandIn();
  });
  after(() => slack?.close());

  test('posts the default message to a local sink', async (t) => {
    if (skipped(t)) return;
    slack.received.length = 0;
    const r = await runStep({
      image: image('slack'),
      workspace: workspace(),
      env: { PLUGIN_WEBHOOK: slack.webhookUrl, ...defaultSlackStep.settings },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'sent the success message to #deployments\n');
    assert.deepEqual(slack.received.map((q) => q.body), [defaultSlackStep.payload]);
  });

  test("reports failure when the runner's status file is mounted at /run/drone/env", async (t) => {
    if (skipped(t)) return;
    slack.received.length = 0;
    const statusDir = mkdtempSync(join(work, 'status-'));
    chmodSync(statusDir, 0o755);
    writeFileSync(join(statusDir, 'env'), failedRunnerStatusFile, { mode: 0o644 });
    const r = await runStep({
      image: image('slack'),
      workspace: workspace(),
      env: { PLUGIN_WEBHOOK: slack.webhookUrl },
      mounts: [[join(statusDir, 'env'), '/run/drone/env']],
    });
    assert.equal(r.code, 0, r.stderr);
    const attachment = (slack.received[0]!.body as { attachments: Array<{ color: string; text: string }> }).attachments[0]!;
    assert.equal(attachment.color, 'danger');
    assert.match(attachment.text, /^\*failure\* /);
  });
});

describe('sortie/kubernetes', () => {
  let api: KubeApi;
  before(async () => {
    if (engine) api = await startKubeApi({ namespaces: ['shop', 'staging'] });
  });
  after(() => api?.close());

  /** POSTs objects as the cluster admin, as `kubectl create -f` would. */
  async function create(yamlText: string): Promise<void> {
    for (const o of loadAll(yamlText) as Array<{ apiVersion: string; kind: string; metadata: { namespace: string } }>) {
      const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
      const path = `${group ? `/apis/${group}/${version}` : `/api/${version}`}/namespaces/${o.metadata.namespace}/${o.kind.toLowerCase()}s`;
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${api.url}${path}`, { method: 'POST', ca: api.caPem, headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(JSON.stringify(o));
      });
      assert.equal(status, 201, `creating ${o.kind}`);
    }
  }

  const deployed = (ns: string) => api.get(`/apis/apps/v1/namespaces/${ns}/deployments/web`) as { spec: { template: { spec: { containers: Array<{ image: string }> } } } } | undefined;
  const app = () => readFileSync(join(import.meta.dirname, 'fixtures', 'app.yaml'), 'utf8');
  /** The kubernetes image as a pod with service account shop/deployer runs it, deploying to `namespace`. */
  const deployInCluster = async (namespace: string, settings: Record<string, string> = {}) => {
    const sa = mkdtempSync(join(work, 'sa-'));
    await api.writeServiceAccountDir(sa, 'shop', 'deployer');
    // The image runs as a non-root user, as a pod's projected volume allows.
    chmodSync(sa, 0o755);
    for (const f of ['token', 'ca.crt', 'namespace']) chmodSync(join(sa, f), 0o644);
    return runStep({
      image: image('kubernetes'),
      workspace: workspace({ 'app.yaml': app() }),
      env: { PLUGIN_MANIFESTS: 'app.yaml', PLUGIN_NAMESPACE: namespace, ...settings, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: new URL(api.url).port },
      mounts: [[sa, '/var/run/secrets/kubernetes.io/serviceaccount']],
    });
  };

  test("deploys in-cluster: the pod's service account folder and KUBERNETES_SERVICE_HOST/PORT, with the README's RBAC", async (t) => {
    if (skipped(t)) return;
    await create(readFileSync(join(repoRoot, 'examples', 'kubernetes', 'rbac', 'namespace-deployer.yaml'), 'utf8'));
    const r = await deployInCluster('shop', { PLUGIN_TIMEOUT: '30' });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /successfully rolled out/);
    assert.equal(deployed('shop')?.spec.template.spec.containers[0]?.image, 'registry.example.com/shop/web:7fd1a60b');
    assert.ok(api.requests.some((q) => q.user === 'system:serviceaccount:shop:deployer' && q.method === 'PATCH'), 'applied as the service account');
  });

  test('the same service account cannot deploy where its Role does not reach', async (t) => {
    if (skipped(t)) return;
    const r = await deployInCluster('staging');
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /forbidden/i);
    assert.equal(deployed('staging'), undefined);
  });

  test('deploys with a kubeconfig from a secret', async (t) => {
    if (skipped(t)) return;
    const r = await runStep({
      image: image('kubernetes'),
      workspace: workspace({ 'app.yaml': app() }),
      env: { PLUGIN_KUBECONFIG: api.kubeconfig({ namespace: 'staging' }), PLUGIN_MANIFESTS: 'app.yaml', PLUGIN_TIMEOUT: '30' },
    });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(deployed('staging')?.spec.template.spec.containers[0]?.image, 'registry.example.com/shop/web:7fd1a60b');
    assert.ok(!(r.stdout + r.stderr).includes(api.adminToken), 'the token leaked');
  });
});

describe('sortie/kaniko', () => {
  test('runs the executor with the expected argv and Docker config, and finishes after kaniko wiped the root filesystem', async (t) => {
    if (skipped(t)) return;
    const name = `kaniko-step-${process.pid}`;
    const ws = workspace({ Dockerfile: 'FROM scratch\nCOPY Dockerfile /\n' });
    const r = await runStep({
      image: image('kaniko'),
      workspace: ws,
      env: {
        PLUGIN_REPO: 'registry.example.com/team/app',
        PLUGIN_TAGS: 'latest,1.2.3',
        PLUGIN_USERNAME: 'robot',
        PLUGIN_PASSWORD: 'hunter2-secret',
        PLUGIN_ARTIFACT_FILE: 'out/artifact.json',
      },
      writable: true,
      keep: name,
    });
    try {
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.ok(!(r.stdout + r.stderr).includes('hunter2-secret'), 'the password leaked');
      const copy = await engine!.docker(['cp', `${name}:/kaniko/stand-in/executor.record.json`, '-']);
      const record = JSON.parse(untar(copy.stdout)) as { argv: string[]; cwd: string; env: Record<string, string>; dockerConfig: { auths: Record<string, { auth: string }> } };
      assert.ok(record.argv.includes('--destination=registry.example.com/team/app:latest'), record.argv.join(' '));
      assert.ok(record.argv.includes('--destination=registry.example.com/team/app:1.2.3'), record.argv.join(' '));
      assert.ok(record.argv.some((a) => a.startsWith('--dockerfile=')), record.argv.join(' '));
      assert.ok(record.argv.some((a) => a.startsWith('--context=')), record.argv.join(' '));
      assert.equal(record.cwd, '/drone/src');
      assert.equal(Buffer.from(record.dockerConfig.auths['registry.example.com']!.auth, 'base64').toString(), 'robot:hunter2-secret');
      assert.ok(!Object.keys(record.env).some((k) => k.startsWith('PLUGIN_')), 'settings reached the executor');
      assert.match(r.stdout + r.stderr, /sha256:0123456789abcdef/);
      // The executor deleted /usr and /lib before the plugin reported the digest and wrote the artifact.
      assert.equal((await engine!.docker(['cp', `${name}:/lib64`, '-'], { allowFail: true })).code, 1, 'the stand-in executor wiped /lib64');
      const artifact = JSON.parse(readFileSync(join(ws, 'out', 'artifact.json'), 'utf8')) as object;
      assert.match(JSON.stringify(artifact), /registry\.example\.com\/team\/app:1\.2\.3/);
    } finally {
      await engine!.docker(['rm', '-f', name], { allowFail: true });
    }
  });
});

dockerStopTests({ engine: () => engine, image, workspace, scratch: () => work, runStep, skipped });

/** The one small text file of a `docker cp ... -` tar stream. */
function untar(tar: string): string {
  const size = Number.parseInt(tar.slice(124, 136).replace(/\0.*$/, '').trim(), 8);
  return tar.slice(512, 512 + size);
}

describe('every image', () => {
  for (const plugin of plugins) {
    test(`${plugin}: OCI labels and an SBOM of the bundled dependencies`, async (t) => {
      if (skipped(t)) return;
      const inspect = JSON.parse((await engine!.docker(['image', 'inspect', image(plugin)])).stdout)[0] as { Config: { Labels: Record<string, string>; User: string } };
      const labels = inspect.Config.Labels;
      for (const key of ['source', 'revision', 'version', 'licenses']) assert.ok(labels[`org.opencontainers.image.${key}`], `label ${key}`);
      assert.equal(labels['org.opencontainers.image.licenses'], 'Apache-2.0');
      const sbomPath = labels['dev.sortie.sbom']!;
      const name = `sbom-${plugin}-${process.pid}`;
      await engine!.docker(['create', '--name', name, image(plugin)]);
      try {
        const sbom = JSON.parse(untar((await engine!.docker(['cp', `${name}:${sbomPath}`, '-'])).stdout)) as { bomFormat: string; components: Array<{ name: string }> };
        assert.equal(sbom.bomFormat, 'CycloneDX');
        const names = sbom.components.map((c) => c.name);
        assert.ok(names.includes('node'));
        const expected = ({ slack: '@slack/webhook', kubernetes: 'js-yaml' } as Record<string, string | undefined>)[plugin];
        if (expected) assert.ok(names.includes(expected), names.join(', '));
      } finally {
        await engine!.docker(['rm', name], { allowFail: true });
      }
    });
  }

  for (const plugin of scratchImages) {
    test(`${plugin}: runs as a non-root user on a read-only root filesystem, and has no shell`, async (t) => {
      if (skipped(t)) return;
      const inspect = JSON.parse((await engine!.docker(['image', 'inspect', image(plugin)])).stdout)[0] as { Config: { User: string } };
      assert.equal(inspect.Config.User, '65532:65532');
      const probe =
        "const fs=require('fs');let w='writable';try{fs.writeFileSync('/probe','x')}catch(e){w=e.code}" +
        ";console.log(JSON.stringify({uid:process.getuid(),gid:process.getgid(),user:require('os').userInfo().username,root:w,sh:fs.existsSync('/bin/sh')}))";
      const r = await engine!.docker(['run', '--rm', '--read-only', '--network=none', '--entrypoint', '/usr/local/bin/node', image(plugin), '-e', probe]);
      assert.deepEqual(JSON.parse(r.stdout), { uid: 65532, gid: 65532, user: 'sortie', root: 'EROFS', sh: false });
    });
  }
});

describe('the Dockerfiles with a daemonless builder (buildah, the closest to kaniko here)', () => {
  const buildah = ['/usr/bin/buildah', '/usr/local/bin/buildah'].find((p) => existsSync(p));
  for (const plugin of plugins) {
    test(`${plugin}: builds from the same context to the same image config`, async (t) => {
      if (skipped(t)) return;
      if (!buildah) return t.skip('buildah is not installed (apt-get install -y --no-install-recommends buildah)');
      const store = mkdtempSync(join(work, 'buildah-'));
      const b = (args: string[]) => execFileSync(buildah, ['--root', join(store, 'root'), '--runroot', join(store, 'run'), '--storage-driver', 'vfs', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const file = dockerfile(plugin);
      const args = Object.entries(file.args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
      if (plugin === 'kaniko') {
        // As kaniko does, the base comes from a registry.
        const remoteBase = `${engine!.registry}/kaniko-executor-stand-in:images-test`;
        await engine!.docker(['tag', standInBase, remoteBase]);
        await engine!.docker(['push', remoteBase]);
        args.push('--tls-verify=false', '--build-arg', `KANIKO_IMAGE=${remoteBase}`);
      }
      const docker = JSON.parse((await engine!.docker(['image', 'inspect', image(plugin)])).stdout)[0] as { Config: Record<string, unknown> };
      const labels = docker.Config.Labels as Record<string, string>;
      for (const k of ['VERSION', 'REVISION', 'SOURCE']) {
        const v = labels[`org.opencontainers.image.${k.toLowerCase()}`];
        if (v) args.push('--build-arg', `${k}=${v}`);
      }
      try {
        b(['bud', '--isolation', 'chroot', '--quiet', ...args, '-f', file.path, '-t', `localhost/${plugin}:bud`, join(work, 'contexts', hostArch(), plugin)]);
        const config = (JSON.parse(b(['inspect', `localhost/${plugin}:bud`])) as { OCIv1: { config: Record<string, unknown> } }).OCIv1.config;
        assert.deepEqual(config.Entrypoint, docker.Config.Entrypoint);
        assert.equal(config.User ?? '', docker.Config.User ?? '');
        // Each builder adds its own version label; the kaniko base was named by its registry here.
        const own = (l: unknown) => Object.fromEntries(Object.entries(l as Record<string, string>).filter(([k]) => !['io.buildah.version', 'org.opencontainers.image.base.name'].includes(k)));
        assert.deepEqual(own(config.Labels), own(docker.Config.Labels));
        assert.deepEqual([...((config.Env as string[]) ?? [])].sort(), [...((docker.Config.Env as string[]) ?? [])].sort());
      } finally {
        try {
          b(['rmi', '--all', '--force']);
        } catch {
          // Nothing to remove.
        }
        rmSync(store, { recursive: true, force: true });
      }
    });
  }
});
