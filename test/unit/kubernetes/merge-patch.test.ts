import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergePatchFrom } from '../../../plugins/kubernetes/merge-patch.ts';

describe('mergePatchFrom', () => {
  it('computes a merge patch that removes what the target lacks', () => {
    assert.deepEqual(mergePatchFrom({ a: 1, b: { c: 1, d: 2 }, l: [1] }, { a: 1, b: { c: 2 }, l: [2] }), { b: { c: 2, d: null }, l: [2] });
  });
});
