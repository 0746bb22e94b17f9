import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Manifest } from '../../../plugins/kubernetes/manifests.ts';
import { namespaceOfObjects } from '../../../plugins/kubernetes/target-line.ts';

const m = (apiVersion: string, kind: string, namespace?: string): Manifest => ({
  object: { apiVersion, kind, metadata: { name: 'x', ...(namespace ? { namespace } : {}) } },
  source: { file: 'k.yaml', line: 1, text: '' },
});

describe('namespaceOfObjects', () => {
  it("is the one namespace an overlay's objects name, cluster-scoped objects aside", () => {
    assert.equal(namespaceOfObjects([m('v1', 'Namespace'), m('v1', 'ConfigMap', 'shop'), m('apps/v1', 'Deployment', 'shop')]), 'shop');
  });

  it('is undefined when they name several, or a namespaced object names none', () => {
    assert.equal(namespaceOfObjects([m('v1', 'ConfigMap', 'a'), m('v1', 'ConfigMap', 'b')]), undefined);
    assert.equal(namespaceOfObjects([m('v1', 'ConfigMap', 'shop'), m('v1', 'Service')]), undefined);
    assert.equal(namespaceOfObjects([m('v1', 'Namespace')]), undefined);
    assert.equal(namespaceOfObjects([]), undefined);
  });
});
