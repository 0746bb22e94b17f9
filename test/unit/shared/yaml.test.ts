import assert from 'node:assert/strict';
import { test } from 'node:test';
import { YamlLimitError, loadBoundedYaml, nodeBudget } from '../../../shared/yaml.ts';

test('ordinary YAML, aliases included, loads as js-yaml loads it', () => {
  assert.deepEqual(loadBoundedYaml('a: &x [1, 2]\nb: *x\n', nodeBudget()), { a: [1, 2], b: [1, 2] });
});

test('every reference to an aliased node costs its expanded size', () => {
  const budget = nodeBudget(100);
  loadBoundedYaml('a: &x [1, 2, 3]\nb: *x\nc: *x\n', budget);
  // the mapping, then [1,2,3] three times at 4 nodes each
  assert.equal(budget.left, 100 - 1 - 3 * 4);
});

test('a billion laughs is refused long before it expands', () => {
  const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 9; i++) {
    const p = String.fromCharCode(96 + i);
    levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${p}`).join(', ')}]`);
  }
  const started = performance.now();
  assert.throws(() => loadBoundedYaml(levels.join('\n'), nodeBudget()), YamlLimitError);
  assert.ok(performance.now() - started < 1000);
});

test('the budget is shared by the documents of one file', () => {
  const budget = nodeBudget(10);
  loadBoundedYaml('[1, 2, 3, 4]', budget);
  assert.throws(() => loadBoundedYaml('[1, 2, 3, 4, 5, 6]', budget), YamlLimitError);
});

test('a recursive alias is refused, not looped over', () => {
  assert.throws(() => loadBoundedYaml('a: &a\n  b: *a\n', nodeBudget()), /recursive alias|unidentified alias/);
});
