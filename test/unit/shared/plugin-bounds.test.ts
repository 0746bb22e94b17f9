import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PluginInput, runPlugin } from '../../../shared/plugin.ts';
import { setting } from '../../../shared/settings/index.ts';
import { Cancelled, sleep } from '../../../shared/stop.ts';

const settings = { timeout: setting.duration({ doc: 'Time allowed for the whole step.', default: 60_000 }) };

/** A plugin that waits on the step's signal, as every wait and request does. */
async function run(env: Record<string, string>, cancel?: AbortSignal, seen: Array<PluginInput<typeof settings>> = []) {
  let output = '';
  const record = (text: string) => {
    output += text;
  };
  const started = Date.now();
  const code = await runPlugin(
    {
      name: 'test',
      settings,
      timeLimit: 'timeout',
      run: async (input) => {
        seen.push(input);
        await sleep(5000, input.signal);
      },
    },
    { PLUGIN_ENV_FILE: '/nonexistent', ...env },
    { out: record, err: record },
    cancel && (() => cancel),
  );
  return { code, output, elapsed: Date.now() - started };
}

test("the time-limit setting bounds the plugin's run: the error names the setting as written and its value", async () => {
  const seen: Array<PluginInput<typeof settings>> = [];
  const r = await run({ PLUGIN_TIMEOUT: '150ms' }, undefined, seen);
  assert.equal(r.code, 1);
  assert.ok(r.elapsed < 1000, `${r.elapsed} ms`);
  assert.match(r.output, /^error: the step did not finish within settings\.timeout: 150ms\nhint: Raise settings\.timeout /);
  assert.equal(seen[0]!.deadline?.limit, 'settings.timeout: 150ms');
});

test('a cancel ends the run with 128 + the signal number', async () => {
  const cancel = new AbortController();
  setTimeout(() => cancel.abort(new Cancelled('SIGTERM')), 50);
  const r = await run({}, cancel.signal);
  assert.equal(r.code, 143);
  assert.equal(r.output, 'error: cancelled by SIGTERM\n');
});

test('timeout 0 is no limit: the step has no deadline', async () => {
  const seen: Array<PluginInput<typeof settings>> = [];
  const cancel = new AbortController();
  setTimeout(() => cancel.abort(new Cancelled('SIGINT')), 50);
  const r = await run({ PLUGIN_TIMEOUT: '0' }, cancel.signal, seen);
  assert.equal(seen[0]!.deadline, undefined);
  assert.equal(r.code, 130);
});
