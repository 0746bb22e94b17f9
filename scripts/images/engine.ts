import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ProcessResult, runProcess } from '../../test/support/process.ts';

/**
 * A Docker engine and a registry of our own, for the image tests, the image benchmark and
 * `npm run release --local`: Debian's dockerd (docker.io) started by hand with no iptables and no
 * bridge, and Debian's docker-registry on 127.0.0.1:5000, all state under one temp dir. Stopped by
 * PID, never by name, and the network-namespace mounts dockerd leaves are unmounted.
 *
 * Needs root and `apt-get install -y --no-install-recommends docker.io docker-registry`.
 */
export interface Engine {
  readonly dir: string;
  /** `unix://<dir>/docker.sock`, for DOCKER_HOST. */
  readonly host: string;
  /** `127.0.0.1:5000` (or the next free port when 5000 is taken). */
  readonly registry: string;
  /** The environment the docker CLI needs: DOCKER_HOST, a private DOCKER_CONFIG, the classic builder. */
  readonly env: NodeJS.ProcessEnv;
  docker(args: readonly string[], opts?: { input?: string; allowFail?: boolean; env?: NodeJS.ProcessEnv }): Promise<Result>;
  stop(): Promise<void>;
}

export type Result = ProcessResult;

const DOCKERD = '/usr/sbin/dockerd';
const REGISTRY = '/usr/bin/docker-registry';

/** Why no engine can be started here, or undefined when it can be tried. */
export function engineUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'dockerd must run as root';
  if (!existsSync(DOCKERD)) return `${DOCKERD} is missing (apt-get install -y --no-install-recommends docker.io)`;
  if (!existsSync(REGISTRY)) return `${REGISTRY} is missing (apt-get install -y docker-registry)`;
  if (!whichDocker()) return 'no docker CLI on PATH';
  return undefined;
}

function whichDocker(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'docker'))) return join(dir, 'docker');
  return undefined;
}

export async function startEngine(opts: { registryPort?: number; log?: (line: string) => void } = {}): Promise<Engine> {
  const reason = engineUnavailable();
  if (reason) throw new Error(`cannot start a Docker engine: ${reason}`);
  const log = opts.log ?? (() => {});
  // Short: containerd's socket path lives under it and unix socket paths stop at 108 bytes.
  const dir = mkdtempSync('/tmp/sortie-engine-');
  const children: Array<{ name: string; child: ChildProcess }> = [];
  const host = `unix://${join(dir, 'docker.sock')}`;
  const dockerConfig = join(dir, 'docker-config');
  mkdirSync(dockerConfig);
  writeFileSync(join(dockerConfig, 'config.json'), '{}\n');
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: dockerConfig, DOCKER_BUILDKIT: '0', DOCKER_CLI_HINTS: 'false' };
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const { name, child } of children.reverse()) await stopChild(name, child);
    // dockerd stops the containerd it started; if it could not, stop that one by its own PID.
    const containerdPid = readPid(join(dir, 'exec', 'containerd', 'containerd.pid'));
    if (containerdPid && alive(containerdPid)) {
      process.kill(containerdPid, 'SIGTERM');
      for (let i = 0; i < 50 && alive(containerdPid); i++) await sleep(100);
      if (alive(containerdPid)) process.kill(containerdPid, 'SIGKILL');
    }
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    const dockerdLog = openSync(join(dir, 'dockerd.log'), 'a');
    const dockerd = spawn(
      DOCKERD,
      [
        '--data-root', join(dir, 'data'),
        '--exec-root', join(dir, 'exec'),
        '--pidfile', join(dir, 'dockerd.pid'),
        '-H', host,
        '--iptables=false',
        '--ip6tables=false',
        '--bridge=none',
        '--storage-driver=overlay2',
        '--log-level=warn',
      ],
      { stdio: ['ignore', dockerdLog, dockerdLog], detached: false },
    );
    children.push({ name: 'dockerd', child: dockerd });
    await waitFor('dockerd', dockerd, () => ping(join(dir, 'docker.sock')), 30_000, join(dir, 'dockerd.log'));
    log(`dockerd ${dockerd.pid} ready on ${host}`);

    const port = await freePort(opts.registryPort ?? 5000);
    const registryConfig = join(dir, 'registry.yml');
    writeFileSync(
      registryConfig,
      [
        'version: 0.1',
        'log:',
        '  level: warn',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(dir, 'registry-data')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: 127.0.0.1:${port}`,
        '',
      ].join('\n'),
    );
    const registryLog = openSync(join(dir, 'registry.log'), 'a');
    const registry = spawn(REGISTRY, ['serve', registryConfig], { stdio: ['ignore', registryLog, registryLog] });
    children.push({ name: 'docker-registry', child: registry });
    await waitFor('docker-registry', registry, () => httpOk(`http://127.0.0.1:${port}/v2/`), 15_000, join(dir, 'registry.log'));
    log(`docker-registry ${registry.pid} ready on 127.0.0.1:${port}`);

    const docker = dockerCli(env);
    return { dir, host, registry: `127.0.0.1:${port}`, env, docker, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitFor(name: string, child: ChildProcess, ready: () => Promise<boolean>, timeoutMs: number, logFile: string): Promise<void> {
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? 1;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== null) break;
    if (await ready()) return;
    await sleep(100);
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
  throw new Error(`${name} ${exited !== null ? `exited with ${exited}` : `not ready after ${timeoutMs} ms`}; its log ends:\n${tail}`);
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** `wanted` when nothing listens there, else the next free port. */
async function freePort(wanted: number): Promise<number> {
  for (let port = wanted; port < wanted + 50; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port from ${wanted}`);
}

async function stopChild(name: string, child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(20_000).then(() => true)]);
  if (timedOut) {
    console.error(`${name} (${child.pid}) did not stop in 20 s: SIGKILL`);
    child.kill('SIGKILL');
    await exited;
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every mount point under dir (netns nsfs mounts, leftover overlays), deepest first. */
function unmountUnder(dir: string): void {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p && (p === dir || p.startsWith(`${dir}/`)))
    .map((p) => p.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length);
  for (const p of points) {
    try {
      execFileSync('umount', [p], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', p], { stdio: 'ignore' });
    }
  }
}

/** `node scripts/images/engine.ts`: start both, print the environment to use, stop on Ctrl-C. */
if (import.meta.main) {
  const engine = await startEngine({ log: (l) => console.error(l) });
  console.log(`export DOCKER_HOST=${engine.host} DOCKER_CONFIG=${engine.env.DOCKER_CONFIG} DOCKER_BUILDKIT=0  # registry ${engine.registry}`);
  const done = () => void engine.stop().then(() => process.exit(0));
  process.on('SIGINT', done);
  process.on('SIGTERM', done);
}

/** The workstation's own Docker engine (DOCKER_HOST or the default socket), for `npm run release`. */
export function existingEngine(): Engine {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const docker = dockerCli(env);
  return { dir: '', host: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock', registry: '', env, docker, stop: async () => {} };
}

/** Runs the docker CLI with an environment; rejects on a non-zero exit unless allowFail. */
function dockerCli(env: NodeJS.ProcessEnv): Engine['docker'] {
  return async (args, o = {}) => {
    const r = await runProcess('docker', args, { env: { ...env, ...o.env }, input: o.input });
    if (r.code !== 0 && !o.allowFail) throw new Error(`docker ${args.join(' ')} exited with ${r.code}:\n${r.stderr.slice(-4000)}`);
    return r;
  };
}
