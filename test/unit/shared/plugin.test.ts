import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BuildContext } from '../../../shared/context/index.ts';
import { PluginError } from '../../../shared/errors.ts';
import { runPlugin } from '../../../shared/plugin.ts';
import { setting } from '../../../shared/settings/index.ts';

const settings = {
  token: setting.string({ doc: 'Token.', secret: true }),
  count: setting.int({ doc: 'Count.', default: 1 }),
};

async function run(env: Record<string, string>, body: (build: BuildContext) => Promise<number | undefined> = async () => 0) {
  let output = '';
  const record = (text: string) => {
    output += text;
  };
  const code = await runPlugin({ name: 'test', settings, run: ({ build }) => body(build) }, { PLUGIN_ENV_FILE: '/nonexistent', ...env }, { out: record, err: record });
  return { code, output };
}

test('the status file is laid over the environment before the build context is made', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'runner-'));
  writeFileSync(join(dir, 'env'), 'DRONE_BUILD_STATUS="failure"\nkubernetes.io/config.seen="x"');
  let status = '';
  const { code } = await run({ DRONE_BUILD_STATUS: 'success', PLUGIN_ENV_FILE: join(dir, 'env') }, async (b) => {
    status = b.build.status;
    return 0;
  });
  assert.equal(code, 0);
  assert.equal(status, 'failure');
});

test('a settings error stops the plugin before it runs, exit 1, with a hint and no stack', async () => {
  let ran = false;
  const { code, output } = await run({ PLUGIN_COUNT: 'many' }, async () => {
    ran = true;
    return 0;
  });
  assert.equal(code, 1);
  assert.equal(ran, false);
  assert.match(output, /^error: settings\.count: expected a whole number, got "many"\. Example: count: 3\nhint: /);
  assert.doesNotMatch(output, /at .*\.ts:\d+/);
});

test('a plugin error is printed masked with its exit code', async () => {
  const { code, output } = await run({ PLUGIN_TOKEN: 'very-secret-token' }, async () => {
    throw new PluginError('rejected token very-secret-token', { hint: 'check it', exitCode: 3 });
  });
  assert.equal(code, 3);
  assert.equal(output, 'error: rejected token ********\nhint: check it\n');
});

test('an unexpected error is reported as such; the stack only with debug', async () => {
  const boom = async (): Promise<number> => {
    throw new TypeError('boom');
  };
  const quiet = await run({}, boom);
  assert.equal(quiet.code, 1);
  assert.match(quiet.output, /^error: unexpected failure: TypeError: boom\nhint: run again with settings\.debug: true/);
  const loud = await run({ PLUGIN_DEBUG: 'true' }, boom);
  assert.match(loud.output, /debug: TypeError: boom\ndebug:\s+at /);
});

test('an unexpected error that quotes code or input is shown by its first line, cut: no minified source', async () => {
  const code = `function(e){return e.map(t=>t.x)}${'var a=1;'.repeat(5000)}`;
  const { output } = await run({}, async () => {
    throw new SyntaxError(`Invalid regular expression: /${code}/gu: Regular expression too large\n${code}`);
  });
  const first = output.split('\n')[0]!;
  assert.ok(first.startsWith('error: unexpected failure: SyntaxError: Invalid regular expression: /function(e)'), first);
  assert.ok(first.length < 260 && first.endsWith('...'), first);
  assert.equal(output.split('\n').length, 3, output);
});

test('unknown settings are warned about, and the plugin still runs; a misspelled one stops it', async () => {
  const { code, output } = await run({ PLUGIN_VERBOSE: '2' });
  assert.equal(code, 0);
  assert.match(output, /warning: unknown setting settings\.verbose is ignored\./);
  let ran = false;
  const misspelled = await run({ PLUGIN_CONUT: '2' }, async () => {
    ran = true;
    return 0;
  });
  assert.equal(misspelled.code, 1);
  assert.equal(ran, false);
  assert.match(misspelled.output, /^error: settings\.conut is not a setting: did you mean settings\.count\?\n/);
});

test('the runner registers what the declaration, the environment names and the plugin say is secret, and nothing else', async () => {
  let output = '';
  const record = (text: string) => {
    output += text;
  };
  const decl = { access_key: setting.string({ doc: 'An id, not a secret.' }), api_token: setting.string({ doc: 'Token.', secret: true }) };
  const env = { PLUGIN_ENV_FILE: '/nonexistent', PLUGIN_ACCESS_KEY: 'AKIAPLAINID', PLUGIN_API_TOKEN: 'declared-secret-1', DEPLOY_PASSWORD: 'named-secret-2' };
  const code = await runPlugin(
    {
      name: 'test',
      settings: decl,
      run: async ({ log, registerSecrets }) => {
        registerSecrets(['found-secret-3']);
        log.info('AKIAPLAINID declared-secret-1 named-secret-2 found-secret-3');
        return 0;
      },
    },
    env,
    { out: record, err: record },
  );
  assert.equal(code, 0);
  assert.equal(output, 'AKIAPLAINID ******** ******** ********\n');
});

test('startPlugin: an error thrown outside the run (an uncaught exception) is reported masked and cut, without Node printing the source line', async () => {
  const { runProcess } = await import('../../support/process.ts');
  const plugin = new URL('../../../shared/plugin.ts', import.meta.url).href;
  // One long line, as a minified bundle is: Node would print it above an uncaught error.
  const script = `import { startPlugin } from ${JSON.stringify(plugin)}; startPlugin({ name: 'x', settings: {}, run: () => new Promise(() => { setTimeout(() => { const code = 'e.map(t=>t.x);'.repeat(5000); throw new SyntaxError('Unexpected token ' + process.env.DEPLOY_TOKEN + ' in ' + code); }, 10); }) });`;
  const dir = mkdtempSync(join(tmpdir(), 'last-resort-'));
  writeFileSync(join(dir, 'main.mjs'), `${script}${' '.repeat(10_000)}// minified\n`);
  const r = await runProcess(process.execPath, [join(dir, 'main.mjs')], { env: { PATH: process.env.PATH ?? '', PLUGIN_ENV_FILE: '/nonexistent', DEPLOY_TOKEN: 'Zq9xWv3Kp7Lm2Nb8Rt4Yc6Hd' }, timeoutMs: 20_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^error: unexpected failure: SyntaxError: Unexpected token \*{8} in e\.map\(t=>t\.x\);/);
  assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  assert.ok(r.stderr.length < 300 && !r.stderr.includes('startPlugin') && !r.stderr.includes('Zq9x'), r.stderr);
});
