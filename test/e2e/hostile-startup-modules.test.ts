import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { droneBuildEnv } from '../support/drone-env.ts';
import { runProcess } from '../support/process.ts';
import { repoRoot } from '../support/run-bundle.ts';

/**
 * What a plugin loads of Node before it has anything to do. Every built-in beyond those Node itself
 * loads costs start-up time (node:crypto ~7 ms, node:child_process with net and stream ~6 ms), so a
 * step that stops at its settings must load none: they come on first use.
 */
const work = mkdtempSync(join(tmpdir(), 'sortie-startup-modules-'));
const hook = join(work, 'hook.cjs');
writeFileSync(hook, "process.on('exit', () => require('fs').writeFileSync(process.env.MODULE_LIST, process.moduleLoadList.join('\\n')));\n");

async function loaded(script: string, env: Record<string, string>): Promise<Set<string>> {
  const list = join(work, `${Math.random().toString(36).slice(2)}.txt`);
  await runProcess(process.execPath, ['--require', hook, script], { env: { PATH: process.env.PATH ?? '', MODULE_LIST: list, ...env }, cwd: work });
  // "NativeModule x" is a built-in's JavaScript; "Internal Binding x" its C++ half.
  return new Set(readFileSync(list, 'utf8').split('\n').filter((m) => m.startsWith('NativeModule ')));
}

const empty = join(work, 'empty.js');
writeFileSync(empty, '');
// @kubernetes/client-node's default import of node:fs enumerates its properties, which loads fs.Dir.
const allowed: Record<string, readonly string[]> = { kubernetes: ['NativeModule internal/fs/dir'] };

for (const plugin of ['kaniko', 'kubernetes', 'slack']) {
  test(`${plugin}: a step stopped by its settings loads no built-in module beyond what Node loads for an empty script`, async () => {
    const bare = await loaded(empty, {});
    const env = { ...droneBuildEnv, DRONE_WORKSPACE: work, PLUGIN_ENV_FILE: join(work, 'no-status-file') };
    const extra = [...(await loaded(join(repoRoot, 'dist', `${plugin}.js`), env))].filter((m) => !bare.has(m) && !allowed[plugin]?.includes(m));
    assert.deepEqual(extra, []);
  });
}
