import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildContext, goUnquote, overlayStatusFile, parseStatusFile } from '../../../shared/context/index.ts';
import { failedRunnerStatusFile } from '../../support/drone-env.ts';

// The runner's file after a failure, with two lines no dotenv parser expects: Go escapes, and a
// line that cannot be read at all.
const runnerLines = failedRunnerStatusFile.split('\n');
const RUNNER_FILE = [
  ...runnerLines.slice(0, 5),
  'broken="unterminated',
  ...runnerLines.slice(5),
  'note="line one\\nline \\"two\\"\\tend \\x41\\u00e9\\U0001F600 \\101 caf\\xc3\\xa9"',
].join('\n');

test('Go %q values are unquoted fully', () => {
  assert.equal(goUnquote('"a\\a\\b\\f\\n\\r\\t\\v\\\\\\"\\\'"'), 'a\x07\b\f\n\r\t\v\\"\'');
  assert.equal(goUnquote('"\\x41\\u00e9\\U0001F600\\101"'), 'Aé\u{1F600}A');
  assert.equal(goUnquote('"caf\\xc3\\xa9"'), 'café');
  assert.equal(goUnquote('"plain UTF-8 ✓"'), 'plain UTF-8 ✓');
  for (const bad of ['"\\q"', '"\\x4"', '"a"b"', 'noquotes', '"\\400"']) assert.throws(() => goUnquote(bad), SyntaxError, bad);
});

test('a realistic runner file: every key kept, the bad line skipped, nothing else lost', () => {
  const file = parseStatusFile(RUNNER_FILE);
  assert.equal(file.entries.get('DRONE_BUILD_STATUS'), 'failure');
  assert.equal(file.entries.get('kubernetes.io/config.seen'), '2024-05-01T10:00:00.123456789Z');
  assert.equal(file.entries.get('cni.projectcalico.org/podIP'), '10.1.2.3/32');
  assert.equal(file.entries.get('sidecar.istio.io/inject'), 'false');
  assert.equal(file.entries.get('note'), 'line one\nline "two"\tend Aé\u{1F600} A café');
  assert.deepEqual(file.skipped.map((s) => s.line), [6]);
  assert.equal(file.entries.size, 12);
});

test('the file turns a success environment into a failure, overlaying env-shaped keys only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'status-'));
  const path = join(dir, 'env');
  writeFileSync(path, RUNNER_FILE);
  const env = { DRONE_BUILD_STATUS: 'success', DRONE_STAGE_STATUS: 'success', HOME: '/root' };
  const overlay = overlayStatusFile(env, path);
  assert.equal(overlay.found, true);
  assert.equal(overlay.env.DRONE_BUILD_STATUS, 'failure');
  assert.equal(overlay.env['kubernetes.io/config.seen'], undefined);
  assert.equal(overlay.env['io.drone'], undefined);
  assert.equal(overlay.env.note, 'line one\nline "two"\tend Aé\u{1F600} A café');
  assert.deepEqual([...overlay.changed].sort(), ['DRONE_BUILD_FINISHED', 'DRONE_BUILD_STATUS', 'DRONE_STAGE_FINISHED', 'DRONE_STAGE_STATUS', 'note']);
  assert.equal(env.DRONE_BUILD_STATUS, 'success', 'the original environment is not modified');
  assert.equal(buildContext(overlay.env).build.status, 'failure');
});

test('no $VAR expansion inside values', () => {
  assert.equal(parseStatusFile('A="$HOME and ${HOME}"').entries.get('A'), '$HOME and ${HOME}');
});

test('a missing file is the normal case on the Docker runner', () => {
  const overlay = overlayStatusFile({ A: '1' }, '/nonexistent/run/drone/env');
  assert.equal(overlay.found, false);
  assert.deepEqual(overlay.env, { A: '1' });
});
