import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dump } from 'js-yaml';
import { buildKustomization } from '../../../plugins/kubernetes/kustomize/build.ts';
import { kubectlKustomize, parseObjects } from '../../kustomize/corpus.ts';

/**
 * Random Deployments and strategic merge patches (containers, env, ports with and without a
 * protocol, volumes, finalizers, $patch directives, nulls), each built here and by
 * `kubectl kustomize`: kyaml's list merging has corners no document describes. Skipped without kubectl.
 */
function random(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const pick = <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)]!;
  const some = <T>(a: readonly T[]): T[] => a.filter(() => next() < 0.5);
  const maybe = (p: number, value: () => object) => (next() < p ? value() : {});
  const names = ['a', 'b', 'c', 'd'];
  const env = (patch: boolean) =>
    some(names).map((name) => (patch && next() < 0.15 ? { name, $patch: 'delete' } : patch && next() < 0.1 ? { name, value: null } : { name, value: pick(['1', '2', 'x']) }));
  const ports = (patch: boolean) =>
    some([80, 81, 82]).map((containerPort) => ({
      containerPort,
      ...maybe(0.4, () => ({ protocol: pick(['TCP', 'UDP']) })),
      ...maybe(0.5, () => ({ name: pick(['h', 'm', 'x']) })),
      ...maybe(patch ? 0.1 : 0, () => ({ $patch: 'delete' })),
    }));
  const container = (name: string, patch: boolean) => ({
    name,
    ...maybe(0.6, () => ({ image: pick(['i1', 'i2']) })),
    ...maybe(0.5, () => ({ env: env(patch) })),
    ...maybe(0.4, () => ({ ports: ports(patch) })),
    ...maybe(0.3, () => ({ args: some(['x', 'y']) })),
  });
  const volumes = () => some(['v1', 'v2', 'v3']).map((name) => ({ name, emptyDir: next() < 0.5 ? {} : { medium: 'Memory' } }));
  const deployment = (metadata: object, spec: object) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', ...metadata }, spec: { template: { spec } } });
  const base = deployment({ finalizers: some(['f1', 'f2']) }, { containers: some(names).map((n) => container(n, false)), volumes: volumes(), nodeSelector: { z: 'a' } });
  const patch = deployment(maybe(0.3, () => ({ finalizers: some(['f3', 'f1']) })), {
    ...maybe(0.8, () => ({ containers: some(names).map((name) => (next() < 0.1 ? { name, $patch: 'delete' } : container(name, true))) })),
    ...maybe(0.4, () => ({ volumes: next() < 0.2 ? [{ $patch: 'replace' }, ...volumes()] : volumes() })),
    ...maybe(0.3, () => ({ nodeSelector: next() < 0.3 ? null : next() < 0.3 ? { $patch: 'replace', y: 'b' } : { y: 'b', z: null } })),
  });
  return { base, patch };
}

describe('strategic merge patches equal kubectl kustomize on random input', () => {
  // 400 seeds passed while this was written; 30 keep the suite quick (kubectl takes 0.1-0.2 s a build).
  it('30 random patches', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sortie-kz-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    for (let seed = 1; seed <= 30; seed++) {
      const { base, patch } = random(seed);
      writeFileSync(join(dir, 'd.yaml'), dump(base));
      writeFileSync(join(dir, 'kustomization.yaml'), dump({ resources: ['d.yaml'], patches: [{ patch: dump(patch) }] }));
      const expected = kubectlKustomize(dir);
      if (expected === undefined) return t.skip('kubectl is not installed');
      const built = buildKustomization(dir, { workspace: dir, restrictor: 'rootOnly', render: (text) => text }).map((m) => m.object);
      assert.deepEqual(built, parseObjects(expected), `seed ${seed}: ${dump(patch)}`);
    }
  });
});
