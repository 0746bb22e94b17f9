import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPatches } from '../../../plugins/kubernetes/kustomize/patches.ts';
import { resourceOf } from '../../../plugins/kubernetes/kustomize/resource.ts';
import type { Kustomization, Resource } from '../../../plugins/kubernetes/kustomize/types.ts';
import type { KubeObject } from '../../../plugins/kubernetes/manifests.ts';
import { kustomizationFile, memoryLoader } from './memory-loader.ts';

const deployment = (name: string, labels: Record<string, string> = {}): Resource =>
  resourceOf({ object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels }, spec: { replicas: 1 } } as KubeObject, source: { file: 'k/objects.yaml', line: 1, text: '' } });
const file = (kustomization: Kustomization) => kustomizationFile(kustomization, 'resources: []\npatches:\n');
const loader = memoryLoader({ 'ops.yaml': '- {op: replace, path: /spec/replicas, value: 5}\n', 'two.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {paused: true}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {paused: false}\n' });

describe('applyPatches', () => {
  it('applies a patch file of several documents, each to the object it names', () => {
    const out = applyPatches([deployment('web'), deployment('api')], file({ patches: [{ path: 'two.yaml' }] }), loader, 'patches');
    assert.deepEqual(
      out.map((r) => r.object.spec),
      [
        { replicas: 1, paused: true },
        { replicas: 1, paused: false },
      ],
    );
  });

  it('applies a JSON 6902 file to every object the target selects, by label', () => {
    const out = applyPatches([deployment('web', { tier: 'fe' }), deployment('api', { tier: 'be' })], file({ patches: [{ path: 'ops.yaml', target: { labelSelector: 'tier=be' } }] }), loader, 'patches');
    assert.deepEqual(
      out.map((r) => r.object.spec),
      [{ replicas: 1 }, { replicas: 5 }],
    );
  });

  it('keeps the old id of an object a patch renames, so references to it are still rewritten', () => {
    const [r] = applyPatches([deployment('web')], file({ patches: [{ target: { name: 'web' }, patch: '- {op: replace, path: /metadata/name, value: web2}' }] }), loader, 'patches');
    assert.equal(r?.object.metadata.name, 'web2');
    assert.deepEqual(r?.previous, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: undefined }]);
  });

  it('says which entry fails and why', () => {
    const k = (kustomization: Kustomization) => file(kustomization);
    assert.throws(() => applyPatches([deployment('web')], k({ patches: [{ patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nothere}\n' }] }), loader, 'patches'), /k\/kustomization.yaml:2: patches\[0\]: no object matches the strategic merge patch of Deployment.apps\/v1\/nothere/);
    assert.throws(() => applyPatches([deployment('web')], k({ patches: [{ patch: '- {op: remove, path: /spec/x}' }] }), loader, 'patches'), /patches\[0\]: a JSON 6902 patch needs a target/);
    assert.throws(() => applyPatches([deployment('web')], k({ patches: [{ target: { name: 'web' }, patch: '- {op: remove, path: /spec/x}' }] }), loader, 'patches'), /on Deployment web: operation 1 \(remove \/spec\/x\): the document is missing the path/);
    assert.throws(() => applyPatches([deployment('web')], k({ patches: [{ target: { name: '(' }, patch: 'spec: {}' }] }), loader, 'patches'), /target: name "\(" is not a regular expression/);
    assert.throws(() => applyPatches([deployment('web')], k({ patches: [{ target: { name: '(w+)+x' }, patch: 'spec: {}' }] }), loader, 'patches'), /target: name "\(w\+\)\+x" repeats a group that itself repeats/);
    assert.throws(() => applyPatches([deployment('web')], k({ patches: [{ target: { name: 'web' }, patch: 'spec: [unclosed' }] }), loader, 'patches'), /patches\[0\]: line 1 of the patch: invalid YAML/);
    assert.throws(() => applyPatches([deployment('web')], k({ patches: [{}] }), loader, 'patches'), /patches\[0\]: needs path or patch/);
    assert.throws(() => applyPatches([deployment('web')], k({ patches: [{ patch: 'spec: {}', target: { names: 'web' } as never }] }), loader, 'patches'), /k\/kustomization.yaml:2: patches\[0\].target.names is not a field of patches\[0\].target/);
    assert.throws(
      () => applyPatches([deployment('web')], k({ patches: [{ target: { name: 'web' }, patch: 'spec: {replicas: {count: 2}}' }] }), loader, 'patches'),
      /patches\[0\]: on Deployment web: spec.replicas: the patch gives a map where the object has a single value/,
    );
  });
});
