import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildKustomization } from '../../../plugins/kubernetes/kustomize/build.ts';
import { workspace } from '../../support/workspace.ts';

describe('kustomize build: deprecated fields', () => {
  it('are warned of, once per kustomization using them, and still built', () => {
    const ws = workspace({
      'app/kustomization.yaml': 'bases: [../base]\ncommonLabels: {env: prod}\n',
      'base/kustomization.yaml': 'resources: [cm.yaml]\npatchesStrategicMerge: []\n',
      'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
    });
    const warnings: string[] = [];
    const built = buildKustomization(join(ws, 'app'), { workspace: ws, restrictor: 'rootOnly', render: (text) => text, warn: (m) => warnings.push(m) });
    assert.deepEqual(built.map((m) => m.object.metadata), [{ name: 'c', labels: { env: 'prod' } }]);
    assert.deepEqual(warnings, [
      'app/kustomization.yaml: commonLabels is deprecated in kustomize v5: use `labels` (with `includeSelectors: true` for the same result)',
      'app/kustomization.yaml: bases is deprecated in kustomize v5: use `resources`',
      'base/kustomization.yaml: patchesStrategicMerge is deprecated in kustomize v5: use `patches`',
    ]);
  });
});
