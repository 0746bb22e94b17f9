/**
 * `docker stop` on each image mid-run: the plugin is PID 1, which the kernel shields from SIGTERM
 * unless it installs a handler, so without one `docker stop -t 15` waits its 15 s and kills. Each
 * plugin must stop well within that: the time is the stop's (2 s for the plugin, the rest the
 * engine's own overhead), and the last log line says what happened.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Engine, Result } from '../../scripts/images/engine.ts';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { type HostileServer, startHostileServer } from '../support/hostile-http.ts';

type Plugin = 'slack' | 'kubernetes' | 'kaniko';

interface ImageTestContext {
  engine(): Engine | undefined;
  image(plugin: Plugin): string;
  workspace(files?: Record<string, string>): string;
  /** A host directory the containers may read files from. */
  scratch(): string;
  runStep(step: { image: string; env: Record<string, string>; workspace: string; mounts?: ReadonlyArray<readonly [string, string]>; writable?: boolean; keep?: string }): Promise<Result>;
  skipped(t: { skip(message?: string): void }): boolean;
}

/** The plugin's 2 s, and what `docker stop` itself takes on a shared, loaded machine. */
const STOP_WITHIN_MS = 2000 + 3000;

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function lastLine(r: Result): string {
  return (r.stdout + r.stderr).split('\n').filter((l) => l.trim() !== '').at(-1) ?? '';
}

export function dockerStopTests(ctx: ImageTestContext): void {
  describe('docker stop mid-run', () => {
    /** Starts the step, waits until `ready`, stops it with Docker's default 15 s grace, and returns what the step did. */
    async function stopMidRun(name: string, step: Parameters<ImageTestContext['runStep']>[0], ready: () => boolean | Promise<boolean>) {
      const engine = ctx.engine()!;
      const running = ctx.runStep({ ...step, keep: name });
      try {
        await until(`${name} to be mid-run`, ready);
        const sent = Date.now();
        await engine.docker(['stop', '-t', '15', name]);
        const stopMs = Date.now() - sent;
        const r = await running;
        return { r, stopMs, last: lastLine(r) };
      } finally {
        await running.catch(() => undefined);
        await engine.docker(['rm', '-f', name], { allowFail: true });
      }
    }

    describe('slack', () => {
      let server: HostileServer;
      before(async () => {
        server = await startHostileServer({ kind: 'silent' });
      });
      after(() => server?.close());

      test('mid-request against a Slack that does not answer: the request is aborted, exit 143', async (t) => {
        if (ctx.skipped(t)) return;
        const { r, stopMs, last } = await stopMidRun(
          `stop-slack-${process.pid}`,
          { image: ctx.image('slack'), workspace: ctx.workspace(), env: { PLUGIN_WEBHOOK: `${server.url}/services/T0/B0/stop-secret`, PLUGIN_TIMEOUT: '5m' } },
          () => server.requests > 0,
        );
        assert.ok(stopMs < STOP_WITHIN_MS, `docker stop took ${stopMs} ms`);
        assert.equal(r.code, 143, `${r.stdout}\n${r.stderr}`);
        assert.match(last, /^error: cancelled by SIGTERM during POST http:\/\/127\.0\.0\.1:\d+$/);
      });
    });

    describe('kubernetes', () => {
      let api: KubeApi;
      before(async () => {
        if (!ctx.engine()) return;
        api = await startKubeApi({ namespaces: ['stop'], controllerIntervalMs: 50 });
      });
      after(() => api?.close());

      test('mid-wait against the API emulator: what was applied and what was still rolling out, exit 143', async (t) => {
        if (ctx.skipped(t)) return;
        const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck}
spec:
  replicas: 1
  selector: {matchLabels: {app: stuck}}
  template:
    metadata:
      labels: {app: stuck}
      annotations: {emulator.sortie.dev/fault: stall}
    spec:
      containers: [{name: app, image: "nginx:1.27"}]
`;
        const { r, stopMs, last } = await stopMidRun(
          `stop-kubernetes-${process.pid}`,
          {
            image: ctx.image('kubernetes'),
            workspace: ctx.workspace({ 'd.yaml': deployment }),
            env: { PLUGIN_KUBECONFIG: api.kubeconfig({ namespace: 'stop' }), PLUGIN_MANIFESTS: 'd.yaml' },
          },
          // The step is waiting: it watches the Deployment.
          () => api.openWatches >= 1,
        );
        assert.ok(stopMs < STOP_WITHIN_MS, `docker stop took ${stopMs} ms`);
        assert.equal(r.code, 143, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stdout, /^deployment\.apps\/stuck created$/m);
        assert.match(r.stdout, /^deployment\.apps\/stuck still rolling out: /m);
        assert.equal(last, 'error: cancelled by SIGTERM while waiting for deployment.apps/stuck to roll out');
      });
    });

    describe('kaniko', () => {
      test('mid-build: the signal reaches the executor, whose exit code is the step\'s', async (t) => {
        if (ctx.skipped(t)) return;
        const engine = ctx.engine()!;
        const name = `stop-kaniko-${process.pid}`;
        // The stand-in executor of the test base image, told to build for a minute and exit 42 on a signal.
        const options = join(ctx.scratch(), 'long-build.options.json');
        writeFileSync(options, JSON.stringify({ runMs: 60_000, onSignal: { exitCode: 42 }, stdout: ['INFO[0000] Building stage 0'] }), { mode: 0o644 });
        const logs = async () => {
          const l = await engine.docker(['logs', name], { allowFail: true });
          return l.stdout + l.stderr;
        };
        const { r, stopMs, last } = await stopMidRun(
          name,
          {
            image: ctx.image('kaniko'),
            workspace: ctx.workspace({ Dockerfile: 'FROM scratch\n' }),
            env: { PLUGIN_REPO: 'registry.example.com/team/app' },
            mounts: [[options, '/kaniko/stand-in/executor.options.json']],
            writable: true,
          },
          async () => (await logs()).includes('Building stage 0'),
        );
        assert.ok(stopMs < STOP_WITHIN_MS, `docker stop took ${stopMs} ms`);
        assert.equal(r.code, 42, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stderr, /^stand-in executor: got SIGTERM$/m);
        assert.equal(last, 'error: cancelled by SIGTERM: the executor got the signal and exited with code 42; nothing is reported as pushed.');
      });
    });
  });
}
