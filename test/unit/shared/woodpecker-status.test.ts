import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildContext } from '../../../shared/context/index.ts';
import { buildTemplateFields } from '../../../shared/template/build-fields.ts';
import { woodpecker30Env, woodpecker315Env } from '../../support/woodpecker-env.ts';

function withWarnings(env: Record<string, string>) {
  const warnings: string[] = [];
  return { build: buildContext(env, '/', (w) => warnings.push(w)), warnings };
}

test('Woodpecker 3.15: CI_PIPELINE_STATUS wins over the fixed DRONE_BUILD_STATUS', () => {
  const { build, warnings } = withWarnings(woodpecker315Env('/w', 'failure'));
  assert.equal(build.runner, 'woodpecker');
  assert.equal(build.build.status, 'failure');
  assert.deepEqual(warnings, []);
  assert.equal(withWarnings(woodpecker315Env('/w', 'success')).build.build.status, 'success');
});

test('Woodpecker 3.0 to 3.14: the status is unknown, never success, and one warning names the fix when it is read', () => {
  const { build, warnings } = withWarnings(woodpecker30Env('/w'));
  assert.deepEqual(warnings, [], 'nothing is said until the status is used');
  assert.equal(build.build.status, 'unknown');
  assert.equal(build.build.status, 'unknown');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /upgrade Woodpecker to 3\.15 or later, or run this step only for one outcome with `when: status: \[failure\]`/);
});

test('Woodpecker: a failed step status still makes the build a failure', () => {
  assert.equal(buildContext({ ...woodpecker30Env('/w'), CI_STEP_STATUS: 'failure' }).build.status, 'failure');
});

test("the previous pipeline's status reaches templates as prev.build.status", () => {
  const fields = buildTemplateFields(buildContext({ ...woodpecker315Env('/w', 'success'), CI_PREV_PIPELINE_STATUS: 'failure' })) as { prev: { build: { status: string; number: number } } };
  assert.deepEqual(fields.prev, { build: { status: 'failure', number: 41 } });
});
