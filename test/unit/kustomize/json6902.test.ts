import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyJson6902, Json6902Error } from '../../../plugins/kubernetes/kustomize/json6902.ts';

describe('applyJson6902', () => {
  const doc = { metadata: { annotations: { 'example.com/owner': 'a' } }, spec: { list: ['x', 'y'], m: { a: 1 } } };

  it('applies add, remove, replace, move, copy and test in order, with pointer escapes', () => {
    const out = applyJson6902(doc, [
      { op: 'add', path: '/spec/list/-', value: 'z' },
      { op: 'add', path: '/spec/list/0', value: 'w' },
      { op: 'remove', path: '/spec/list/1' },
      { op: 'replace', path: '/metadata/annotations/example.com~1owner', value: 'b' },
      { op: 'add', path: '/metadata/annotations/a~0b', value: 'tilde' },
      { op: 'copy', from: '/spec/m', path: '/spec/m2' },
      { op: 'move', from: '/spec/m/a', path: '/spec/moved' },
      { op: 'test', path: '/spec/moved', value: 1 },
    ]);
    assert.deepEqual(out, { metadata: { annotations: { 'example.com/owner': 'b', 'a~b': 'tilde' } }, spec: { list: ['w', 'y', 'z'], m: {}, m2: { a: 1 }, moved: 1 } });
    assert.deepEqual(doc.spec.list, ['x', 'y'], 'the document is not changed');
  });

  it('counts negative indexes from the end and lets replace add a missing key, as kustomize does', () => {
    const out = applyJson6902(doc, [
      { op: 'add', path: '/spec/list/-1', value: 'last' },
      { op: 'replace', path: '/spec/list/-3', value: 'first' },
      { op: 'replace', path: '/spec/added', value: true },
      { op: 'test', path: '/spec/list/-1', value: 'last' },
    ]);
    assert.deepEqual(out.spec, { list: ['first', 'y', 'last'], m: { a: 1 }, added: true });
  });

  it('refuses a replace or remove of a missing path, a failed test and an unknown op, naming the operation', () => {
    assert.throws(() => applyJson6902(doc, [{ op: 'replace', path: '/spec/nothere/x', value: 1 }]), /operation 1 \(replace \/spec\/nothere\/x\): the document is missing the path/);
    assert.throws(() => applyJson6902(doc, [{ op: 'remove', path: '/spec/list/2' }]), /index 2 is out of range/);
    assert.throws(() => applyJson6902(doc, [{ op: 'test', path: '/spec/m/a', value: 2 }]), /the test failed/);
    const doubling = Array.from({ length: 30 }, (_, i) => ({ op: 'copy', from: '/spec', path: `/spec/copy${i}` }));
    assert.throws(() => applyJson6902(doc, doubling), /operation 1\d \(copy \/spec\/copy1\d\): the document would grow past 1,000,000 nodes/);
    assert.throws(() => applyJson6902(doc, [{ op: 'add', path: '/spec/x', value: 1 }, { op: 'merge', path: '/spec' }]), (err: unknown) => err instanceof Json6902Error && /operation 2 .*unknown op "merge"/.test(err.message));
  });
});
