import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type JsonMap, strategicMerge } from '../../../plugins/kubernetes/kustomize/strategic-merge.ts';

const deployment = (spec: JsonMap): JsonMap => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec } } });
const podSpec = (merged: JsonMap | undefined) => ((merged!.spec as JsonMap).template as JsonMap).spec as JsonMap;

// Every expectation below is what `kubectl kustomize` (kustomize v5.5) printed for the same input.
describe('strategicMerge', () => {
  it('merges containers by name: the patch\'s items first, in its order, then the others', () => {
    const target = deployment({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1', args: ['x', 'y'] }] });
    const merged = strategicMerge(target, deployment({ containers: [{ name: 'b', image: 'b:2', args: ['z'] }] }));
    assert.deepEqual(podSpec(merged).containers, [{ name: 'b', image: 'b:2', args: ['z'] }, { name: 'a', image: 'a:1' }]);
    assert.deepEqual(podSpec(target).containers, [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1', args: ['x', 'y'] }], 'the target is not changed');
  });

  it('deletes list items with $patch: delete and fields with null, and replaces with $patch: replace', () => {
    const target = deployment({
      containers: [{ name: 'app', image: 'i', env: [{ name: 'A', value: 'a' }, { name: 'B', value: 'b' }] }],
      volumes: [{ name: 'v1', emptyDir: {} }],
      nodeSelector: { zone: 'a', disk: 'ssd' },
    });
    const merged = strategicMerge(
      target,
      deployment({
        containers: [{ name: 'app', env: [{ name: 'NEW', value: 'n' }, { name: 'A', $patch: 'delete' }] }],
        volumes: [{ $patch: 'replace' }, { name: 'v2', emptyDir: {} }],
        nodeSelector: { $patch: 'replace', zone: 'b' },
        hostname: null,
      }),
    );
    assert.deepEqual(podSpec(merged), {
      containers: [{ name: 'app', image: 'i', env: [{ name: 'NEW', value: 'n' }, { name: 'B', value: 'b' }] }],
      volumes: [{ name: 'v2', emptyDir: {} }],
      nodeSelector: { zone: 'b' },
    });
  });

  it('drops the object\'s unmerged items when a patch item lacks the merge key, as kyaml does', () => {
    const target = deployment({ containers: [{ name: 'c', env: [{ name: 'A', value: '1' }, { name: 'B', value: 'b' }] }] });
    const merged = strategicMerge(target, deployment({ containers: [{ name: 'c', env: [{ name: 'B', value: '2' }, { value: 'no name' }] }] }));
    assert.deepEqual(podSpec(merged).containers, [{ name: 'c', env: [{ name: 'B', value: '2' }] }]);
  });

  it('merges finalizers as a set and replaces lists without a merge key', () => {
    const target = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', finalizers: ['a', 'b'] }, spec: { template: { spec: { tolerations: [{ key: 'k1' }] } } } };
    const merged = strategicMerge(target, { metadata: { finalizers: ['c', 'a'] }, spec: { template: { spec: { tolerations: [{ key: 'k2' }] } } } });
    assert.deepEqual((merged!.metadata as JsonMap).finalizers, ['c', 'a', 'b']);
    assert.deepEqual(podSpec(merged).tolerations, [{ key: 'k2' }]);
  });

  it('keeps $retainKeys and $setElementOrder as ordinary fields, as kustomize does', () => {
    const merged = strategicMerge(deployment({}), deployment({ $setElementOrder: [{ name: 'a' }] }));
    assert.deepEqual(podSpec(merged).$setElementOrder, [{ name: 'a' }]);
  });

  it('merges ports by number and protocol the way kyaml does', () => {
    const service = (ports: JsonMap[]): JsonMap => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports } });
    const merged = strategicMerge(
      service([{ port: 80, targetPort: 8 }, { port: 81, targetPort: 8, name: 'b', protocol: 'TCP' }, { port: 83, protocol: 'UDP', name: 'u' }]),
      service([{ port: 81, protocol: 'UDP', targetPort: 9 }, { port: 80, protocol: 'TCP', targetPort: 7 }, { port: 82, protocol: 'TCP' }, { port: 83 }]),
    );
    assert.deepEqual((merged!.spec as JsonMap).ports, [
      { port: 81, protocol: 'UDP', targetPort: 9 },
      { port: 82, protocol: 'TCP' },
      { port: 80, targetPort: 8 },
      { port: 81, targetPort: 8, name: 'b', protocol: 'TCP' },
      { port: 83, protocol: 'UDP', name: 'u' },
    ]);
  });

  it('merges ports that name no protocol by number alone, in the patch\'s order', () => {
    const target = deployment({ containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'x' }, { containerPort: 82, name: 'm' }] }] });
    const merged = strategicMerge(target, deployment({ containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'x' }, { containerPort: 81, name: 'x' }] }] }));
    assert.deepEqual((podSpec(merged).containers as JsonMap[])[0]?.ports, [
      { containerPort: 80, name: 'x' },
      { containerPort: 81, name: 'x' },
      { containerPort: 82, name: 'm' },
    ]);
  });

  it('ignores a port\'s $patch: delete that does not give every key, when other ports give theirs', () => {
    const target = deployment({ containers: [{ name: 'c', ports: [{ containerPort: 80 }, { containerPort: 82, protocol: 'UDP' }] }] });
    const merged = strategicMerge(target, deployment({ containers: [{ name: 'c', ports: [{ containerPort: 80, $patch: 'delete' }] }] }));
    assert.deepEqual((podSpec(merged).containers as JsonMap[])[0]?.ports, [{ containerPort: 80 }, { containerPort: 82, protocol: 'UDP' }]);
  });

  it('replaces every list of a custom resource, merging its maps', () => {
    const widget = (spec: JsonMap): JsonMap => ({ apiVersion: 'x.example.com/v1', kind: 'Widget', metadata: { name: 't' }, spec });
    const merged = strategicMerge(widget({ items: [{ name: 'a' }, { name: 'b', v: 1 }], m: { p: 1 }, keep: 1 }), widget({ items: [{ name: 'b', v: 2 }], m: { q: 2 } }));
    assert.deepEqual(merged?.spec, { items: [{ name: 'b', v: 2 }], m: { p: 1, q: 2 }, keep: 1 });
  });

  it('deletes the whole object with a top-level $patch: delete', () => {
    assert.equal(strategicMerge(deployment({}), { $patch: 'delete' }), undefined);
  });
});
