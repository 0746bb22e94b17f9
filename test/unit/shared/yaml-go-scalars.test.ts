import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadBoundedYaml, nodeBudget } from '../../../shared/yaml.ts';

const read = (text: string) => loadBoundedYaml(text, nodeBudget());

describe('YAML read as kubectl and kustomize read it (go-yaml)', () => {
  it('file modes written 0644 are octal, as kubectl sends them', () => {
    assert.deepEqual(read('defaultMode: 0644\nmode: 0o600\nhex: 0x1F\nbig: 1_000\nzero: -0\nnine: 08'), { defaultMode: 420, mode: 384, hex: 31, big: 1000, zero: 0, nine: 8 });
  });
  it('yes, no, on and off stay strings; `<<` merges', () => {
    assert.deepEqual(read('a: [yes, no, on, off]\nb: &b {x: 1, y: 2}\nc: {<<: *b, y: 3}\n'), { a: ['yes', 'no', 'on', 'off'], b: { x: 1, y: 2 }, c: { x: 1, y: 3 } });
  });
});
