import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { droneStepEnv } from '../support/drone-env.ts';
import { runProcess } from '../support/process.ts';
import { repoRoot } from '../support/run-bundle.ts';

/**
 * What a plugin loads of Node before it has anything to do. Every built-in beyond those Node itself
 * loads costs start-up time (node:crypto ~7 ms, node:child_process with net and stream ~6 ms), so a
 * step that stops at its settings must load none: they come on first use. Nor may it compile the
 * code kept as strings in the bundle (its run, templates, YAML, the Slack client): see
 * scripts/build/lazy-code.ts.
 */
const work = mkdtempSync(join(tmpdir(), 'sortie-startup-modules-'));
const hook = join(work, 'hook.cjs');
writeFileSync(
  hook,
  [
    'const compiled = [];',
    "const vm = require('vm'); const compile = vm.compileFunction;",
    'vm.compileFunction = (code, params, options) => { if (options?.filename?.startsWith("sortie-lazy:")) compiled.push(options.filename); return compile(code, params, options); };',
    "process.on('exit', () => require('fs').writeFileSync(process.env.MODULE_LIST, [...process.moduleLoadList, ...compiled].join('\\n')));",
  ].join('\n'),
);

async function loaded(script: string, env: Record<string, string>): Promise<Set<string>> {
  const list = join(work, `${Math.random().toString(36).slice(2)}.txt`);
  await runProcess(process.execPath, ['--require', hook, script], { env: { PATH: process.env.PATH ?? '', MODULE_LIST: list, ...env }, cwd: work });
  // "NativeModule x" is a built-in's JavaScript; "Internal Binding x" its C++ half.
  return new Set(readFileSync(list, 'utf8').split('\n').filter((m) => m.startsWith('NativeModule ') || m.startsWith('sortie-lazy:')));
}

const empty = join(work, 'empty.js');
writeFileSync(empty, '');

// Every plugin with an entry, as scripts/build.ts bundles them.
const plugins = readdirSync(join(repoRoot, 'plugins')).filter((p) => existsSync(join(repoRoot, 'plugins', p, 'main.ts')));

for (const plugin of plugins) {
  test(`${plugin}: a step stopped by its settings loads no built-in module beyond what Node loads for an empty script, and compiles none of its lazy code`, async () => {
    const bare = await loaded(empty, {});
    const env = { ...droneStepEnv(work) };
    const extra = [...(await loaded(join(repoRoot, 'dist', `${plugin}.js`), env))].filter((m) => !bare.has(m));
    assert.deepEqual(extra, []);
  });
}

writeFileSync(join(work, 'Dockerfile'), 'FROM scratch\n');
const kanikoRun = { ...droneStepEnv(work), PLUGIN_NO_PUSH: 'true', PLUGIN_EXECUTOR: join(work, 'no-executor'), DOCKER_CONFIG: join(work, 'docker') };

test('a step that runs compiles its run from the bundle text then: here kaniko, up to a missing executor', async () => {
  const compiled = [...(await loaded(join(repoRoot, 'dist', 'kaniko.js'), kanikoRun))].filter((m) => m.startsWith('sortie-lazy:'));
  assert.deepEqual(compiled, ['sortie-lazy:plugins/kaniko/run.ts']);
});

test('the run compiles also where NODE_OPTIONS disallows code generation from strings (eval, new Function)', async () => {
  const r = await runProcess(process.execPath, [join(repoRoot, 'dist', 'kaniko.js')], {
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '--disallow-code-generation-from-strings', ...kanikoRun },
    cwd: work,
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /error: cannot run the executor .*no-executor: it does not exist\./);
});
