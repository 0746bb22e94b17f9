import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

export interface BundleRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `dist/<plugin>.js` as Drone runs a plugin: a fresh process whose only input is its
 * environment (and working directory). The environment is not inherited, so a test states all of it.
 */
export function runBundle(plugin: string, env: Record<string, string>, opts: { cwd?: string; bundle?: string; timeoutMs?: number } = {}): Promise<BundleRun> {
  const bundle = opts.bundle ?? join(repoRoot, 'dist', `${plugin}.js`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle], {
      cwd: opts.cwd ?? repoRoot,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}
