import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { snapshotBundle } from '../../scripts/images/snapshot.ts';
import { droneStepEnv } from '../support/drone-env.ts';
import { runProcess } from '../support/process.ts';

/**
 * A Node startup snapshot holds the plugin's modules as loaded (the benchmark's "(d)" start-up). It
 * cannot hold everything a module may make at load (a SharedArrayBuffer, for one), so each plugin
 * is snapshotted and started from its snapshot here.
 */
for (const plugin of ['kaniko', 'kubernetes', 'slack']) {
  test(`${plugin}: builds into a startup snapshot and starts from it`, async () => {
    const work = mkdtempSync(join(tmpdir(), `sortie-snapshot-${plugin}-`));
    const entry = await snapshotBundle(plugin, join(work, 'snapshot', `${plugin}.js`));
    const blob = join(work, 'snapshot.blob');
    const made = await runProcess(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', entry], { cwd: work, env: { PATH: process.env.PATH ?? '' } });
    assert.equal(made.code, 0, made.stderr);
    const env = { PATH: process.env.PATH ?? '', ...droneStepEnv(work) };
    const r = await runProcess(process.execPath, ['--snapshot-blob', blob], { cwd: work, env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: set one of settings\./);
  });
}
