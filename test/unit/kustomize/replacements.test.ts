import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyReplacements } from '../../../plugins/kubernetes/kustomize/replacements.ts';
import { resourceOf } from '../../../plugins/kubernetes/kustomize/resource.ts';
import type { Kustomization } from '../../../plugins/kubernetes/kustomize/types.ts';
import type { KubeObject } from '../../../plugins/kubernetes/manifests.ts';
import { kustomizationFile, memoryLoader } from './memory-loader.ts';

const resource = (object: Record<string, unknown>) => resourceOf({ object: object as unknown as KubeObject, source: { file: 'k/objects.yaml', line: 1, text: '' } });
const objects = () => [
  resource({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { replicas: '3', host: 'db:5432' } }),
  resource({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'app', image: 'app:1' }] } } } }),
];
const file = (kustomization: Kustomization) => kustomizationFile(kustomization, 'replacements:\n');
const loader = memoryLoader({ 'one.yaml': 'source: {kind: ConfigMap, fieldPath: data.replicas}\ntargets:\n- select: {kind: Deployment}\n  fieldPaths: [spec.replicas]\n' });

describe('applyReplacements', () => {
  it('copies a value into a field, keeping the field\'s type, from a file holding one replacement', () => {
    const out = applyReplacements(objects(), file({ replacements: [{ path: 'one.yaml' }] }), loader);
    assert.equal((out[1]!.object.spec as { replicas: unknown }).replicas, 3);
  });

  it('writes a delimited part, into list items chosen by key', () => {
    const out = applyReplacements(
      objects(),
      file({
        replacements: [
          {
            source: { kind: 'ConfigMap', fieldPath: 'data.host', options: { delimiter: ':', index: 1 } },
            targets: [{ select: { kind: 'Deployment' }, fieldPaths: ['spec.template.spec.containers.[name=app].image'], options: { delimiter: ':', index: 1 } }],
          },
        ],
      }),
      loader,
    );
    assert.deepEqual((out[1]!.object.spec as { template: unknown }).template, { spec: { containers: [{ name: 'app', image: 'app:5432' }] } });
  });

  it('names the replacement and what is missing', () => {
    const run = (replacements: Kustomization['replacements']) => applyReplacements(objects(), file({ replacements }), loader);
    assert.throws(() => run([{ source: { kind: 'Secret' }, targets: [{ select: { kind: 'Deployment' } }] }]), /k\/kustomization.yaml:1: replacements\[0\]: nothing matches the source Secret/);
    assert.throws(() => run([{ source: { name: 'cfg', fieldPath: 'data.nothere' }, targets: [{ select: { kind: 'Deployment' } }] }]), /the source cfg has no data.nothere/);
    assert.throws(() => run([{ source: { kind: 'ConfigMap' }, targets: [{ select: { kind: 'Deployment' }, fieldPaths: ['spec.nothere'] }] }]), /targets\[0\]: Deployment web has no field spec.nothere \(options.create: true adds it\)/);
    assert.throws(() => run([{ source: { kind: 'ConfigMap' } }]), /needs a source and at least one target/);
  });
});
