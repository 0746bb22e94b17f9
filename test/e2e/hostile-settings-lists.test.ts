import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadAll } from 'js-yaml';
import { startKubeApi } from '../kube-api/server.ts';
import { droneBuildEnv } from '../support/drone-env.ts';
import { runKaniko } from '../support/kaniko.ts';
import { repoRoot, runBundle } from '../support/run-bundle.ts';

/**
 * Drone and Woodpecker join a YAML list of strings with bare commas (drone-runner's encoder:
 * `strings.Join(in, ",")`; a map or a list of objects becomes JSON). A key=value list setting
 * splits only at a comma that starts a new `KEY=`, so a value may hold commas.
 */
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** A `settings:` value as Drone puts it into the step's environment. */
function droneEncoded(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.map(String).join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** Drone's `${NAME}`, `${NAME:-default}` and `${NAME:offset:length}` substitution, from the build's environment. */
function substituted(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::-([^}]*)|:(\d+)(?::(\d+))?)?\}/g, (_, name: string, fallback?: string, offset?: string, length?: string) => {
    const value = env[name] || fallback || '';
    return offset === undefined ? value : value.slice(Number(offset), length === undefined ? undefined : Number(offset) + Number(length));
  });
}

async function kaniko(workspace: string, env: Record<string, string>) {
  const r = await runKaniko(tempDir('lists-kaniko-'), workspace, { ...droneBuildEnv, ...env });
  return { ...r, argv: r.record?.argv ?? [] };
}

test('build_args and custom_labels with commas in their values, as Drone encodes the YAML lists', async () => {
  const ws = tempDir('lists-ws-');
  writeFileSync(join(ws, 'Dockerfile'), 'FROM scratch\n');
  // build_args: ["DESCRIPTION=a, b", "FEATURES=search,cart", X=1]
  // custom_labels: ["org.opencontainers.image.description=Deploys, waits", org.opencontainers.image.version=1.0]
  const buildArgs = droneEncoded(['DESCRIPTION=a, b', 'FEATURES=search,cart', 'X=1']);
  assert.equal(buildArgs, 'DESCRIPTION=a, b,FEATURES=search,cart,X=1', 'what the step gets');
  const r = await kaniko(ws, {
    PLUGIN_REPO: 'registry.local/app',
    PLUGIN_BUILD_ARGS: buildArgs,
    PLUGIN_CUSTOM_LABELS: droneEncoded(['org.opencontainers.image.description=Deploys, waits', 'org.opencontainers.image.version=1.0']),
    PLUGIN_REGISTRY_CLIENT_CERT: droneEncoded(['registry.local=/certs/c.pem,/certs/k.pem']),
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  for (const arg of [
    '--build-arg=DESCRIPTION=a, b',
    '--build-arg=FEATURES=search,cart',
    '--build-arg=X=1',
    '--label=org.opencontainers.image.description=Deploys, waits',
    '--label=org.opencontainers.image.version=1.0',
    '--registry-client-cert=registry.local=/certs/c.pem,/certs/k.pem',
  ]) {
    assert.ok(r.argv.includes(arg), `${arg} in ${JSON.stringify(r.argv)}`);
  }
  assert.equal(r.argv.filter((a) => a.startsWith('--build-arg=')).length, 3);
});

test('a JSON array is accepted too, and keeps every value as written', async () => {
  const ws = tempDir('lists-ws-');
  writeFileSync(join(ws, 'Dockerfile'), 'FROM scratch\n');
  const r = await kaniko(ws, { PLUGIN_REPO: 'registry.local/app', PLUGIN_BUILD_ARGS: '["A=x,B=y", "C=1"]' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(
    r.argv.filter((a) => a.startsWith('--build-arg=')),
    ['--build-arg=A=x,B=y', '--build-arg=C=1'],
  );
});

test("the project's own .drone.yml image steps build with the build args they say", async () => {
  interface Step {
    name: string;
    image: string;
    settings?: Record<string, unknown>;
  }
  const pipelines = (loadAll(readFileSync(join(repoRoot, '.drone.yml'), 'utf8')) as Array<{ kind: string; steps: Step[] }>).filter((d) => d.kind === 'pipeline');
  const steps = pipelines.flatMap((p) => p.steps).filter((s) => s.image.startsWith('sortie/kaniko'));
  assert.ok(steps.length >= 3);
  const build = { ...droneBuildEnv, DRONE_TAG: '', DRONE_REPO_LINK: 'https://github.com/acme/sortie' };
  for (const step of steps) {
    const ws = tempDir('lists-ws-');
    const settings = step.settings ?? {};
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(settings)) {
      const secret = typeof value === 'object' && value !== null && 'from_secret' in value;
      env[`PLUGIN_${name.toUpperCase()}`] = secret ? `secret-${name}-value` : substituted(droneEncoded(value), build);
    }
    env.PLUGIN_REGISTRY = 'registry.example.com';
    mkdirSync(join(ws, String(settings.context)), { recursive: true });
    mkdirSync(join(ws, String(settings.dockerfile), '..'), { recursive: true });
    writeFileSync(join(ws, String(settings.dockerfile)), 'FROM scratch\n');
    const r = await kaniko(ws, { ...env, KANIKO_IMAGE: 'ghcr.io/osscontainertools/kaniko:1' });
    assert.equal(r.code, 0, `${step.name}: ${r.stdout}${r.stderr}`);
    const want = (settings.build_args as string[]).map((a) => `--build-arg=${substituted(a, build)}`);
    assert.deepEqual(
      r.argv.filter((a) => a.startsWith('--build-arg=') && a.includes('=', '--build-arg='.length)),
      want,
      step.name,
    );
  }
});

test('kubernetes vars given as a list of KEY=value with commas, as Drone encodes it', async () => {
  const api = await startKubeApi({ namespaces: ['lists'] });
  try {
    const ws = tempDir('lists-k8s-');
    writeFileSync(join(ws, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: vars\ndata:\n  greeting: "${GREETING}"\n  regions: "${REGIONS}"\n');
    const r = await runBundle(
      'kubernetes',
      {
        DRONE_WORKSPACE: ws,
        PLUGIN_ENV_FILE: join(ws, 'no-status-file'),
        PLUGIN_KUBECONFIG: api.kubeconfig(),
        PLUGIN_NAMESPACE: 'lists',
        PLUGIN_MANIFESTS: 'cm.yaml',
        PLUGIN_VARS: droneEncoded(['GREETING=hello, world', 'REGIONS=eu,us']),
      },
      { cwd: ws },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual((api.get('/api/v1/namespaces/lists/configmaps/vars') as { data: unknown }).data, { greeting: 'hello, world', regions: 'eu,us' });
  } finally {
    await api.close();
  }
});
