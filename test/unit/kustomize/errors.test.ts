import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PluginError } from '../../../shared/errors.ts';
import { buildKustomization } from '../../../plugins/kubernetes/kustomize/build.ts';
import type { LoadRestrictor } from '../../../plugins/kubernetes/kustomize/types.ts';
import { workspace } from '../../support/workspace.ts';

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata: {a: "1"}\n`;

function build(files: Record<string, string>, dir = 'k', restrictor: LoadRestrictor = 'rootOnly') {
  const ws = workspace(files);
  return { ws, run: () => buildKustomization(join(ws, dir), { workspace: ws, restrictor, render: (text) => text }) };
}

function refused(files: Record<string, string>, message: RegExp, dir = 'k', restrictor: LoadRestrictor = 'rootOnly') {
  assert.throws(build(files, dir, restrictor).run, (err) => err instanceof PluginError && message.test(err.message), `expected ${message}`);
}

describe('kustomize build: errors name the field and the kustomization file', () => {
  it('a field kustomize does not know, with its line', () => {
    refused({ 'k/kustomization.yaml': `resources: [a.yaml]\nnamePrefx: x-\n`, 'k/a.yaml': cm('a') }, /^k\/kustomization\.yaml:2: namePrefx is not a kustomization field$/);
  });
  for (const [field, value] of [
    ['vars', '[{name: X, objref: {kind: Service, name: s, apiVersion: v1}}]'],
    ['helmCharts', '[{name: redis}]'],
    ['generators', '[gen.yaml]'],
    ['transformers', '[t.yaml]'],
    ['validators', '[v.yaml]'],
    ['configurations', '[c.yaml]'],
    ['crds', '[crd.json]'],
  ]) {
    it(`${field} is refused`, () => {
      refused({ 'k/kustomization.yaml': `resources: []\n${field}: ${value}\n` }, new RegExp(`^k/kustomization\\.yaml:2: ${field} is not supported: `));
    });
  }
  it('a remote base', () => {
    refused({ 'k/kustomization.yaml': 'resources:\n  - https://github.com/org/repo//deploy?ref=v1\n' }, /resources\[0\]: https:\/\/github\.com\/org\/repo\/\/deploy\?ref=v1 is a remote base/);
    refused({ 'k/kustomization.yaml': 'resources:\n  - github.com/org/repo/deploy?ref=v1\n' }, /is a remote base/);
  });
  it('a missing resource, and a directory without a kustomization', () => {
    refused({ 'k/kustomization.yaml': 'resources: [nope.yaml]\n' }, /^k\/kustomization\.yaml:1: resources\[0\]: nope\.yaml does not exist \(in k\)$/);
    refused({ 'k/kustomization.yaml': 'resources: [sub]\n', 'k/sub/a.yaml': cm('a') }, /^k\/sub holds no kustomization\.yaml, kustomization\.yml or Kustomization$/);
  });
  it('an empty kustomization, as kustomize says', () => {
    refused({ 'k/kustomization.yaml': 'kind: Kustomization\nnamePrefix: ""\nresources:\n' }, /^k\/kustomization\.yaml: the kustomization is empty$/);
    refused({ 'k/kustomization.yaml': 'components: [c]\n', 'k/c/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n' }, /^k\/c\/kustomization\.yaml: the kustomization is empty$/);
  });
  it('two kustomization files in one directory', () => {
    refused({ 'k/kustomization.yaml': 'resources: []\n', 'k/kustomization.yml': 'resources: []\n' }, /^k holds more than one kustomization file \(kustomization\.yaml, kustomization\.yml\): keep one$/);
  });
  it('a file outside the kustomization, unless load_restrictor is none; never outside the workspace', () => {
    const files = { 'k/kustomization.yaml': 'resources: [../shared/a.yaml]\n', 'shared/a.yaml': cm('a') };
    refused(files, /^k\/kustomization\.yaml:1: resources\[0\]: \.\.\/shared\/a\.yaml is outside the kustomization's directory k$/);
    assert.equal(build(files, 'k', 'none').run()[0]?.object.metadata.name, 'a');
    refused({ 'k/kustomization.yaml': 'resources: [../../etc/passwd]\n' }, /resources\[0\]: \.\.\/\.\.\/etc\/passwd: .* is outside the workspace/, 'k', 'none');
  });
  it('a symlink leading out of the kustomization counts where it leads', () => {
    const { ws, run } = build({ 'k/kustomization.yaml': 'resources: [link.yaml]\n', 'shared/a.yaml': cm('a') });
    symlinkSync(join(ws, 'shared/a.yaml'), join(ws, 'k/link.yaml'));
    assert.throws(run, /link\.yaml is outside the kustomization's directory k/);
  });
  it('a base that includes its own overlay', () => {
    refused({ 'k/kustomization.yaml': 'resources: [../base]\n', 'base/kustomization.yaml': 'resources: [../k]\n' }, /^base\/kustomization\.yaml:1: resources\[0\]: \.\.\/k includes a kustomization that includes it/);
    refused({ 'k/kustomization.yaml': 'resources: [.]\n' }, /resources\[0\]: \. includes a kustomization that includes it/);
  });
  it('a Component in resources, a Kustomization in components', () => {
    const component = 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: []\n';
    refused({ 'k/kustomization.yaml': 'resources: [c]\n', 'k/c/kustomization.yaml': component }, /resources\[0\]: c is a Component: list it in `components`/);
    refused({ 'k/kustomization.yaml': 'components: [b]\n', 'k/b/kustomization.yaml': 'resources: []\n' }, /components\[0\]: b is not a Component/);
  });
  it('two objects with one id, naming both files', () => {
    refused({ 'k/kustomization.yaml': 'resources: [a.yaml, b.yaml]\n', 'k/a.yaml': cm('x'), 'k/b.yaml': cm('x') }, /ConfigMap x is defined twice: in k\/a\.yaml:1 and k\/b\.yaml:1/);
  });
  it('values of the wrong type', () => {
    refused({ 'k/kustomization.yaml': 'commonLabels:\n  version: 1\n' }, /^k\/kustomization\.yaml:1: commonLabels: expected a map of strings$/);
    refused({ 'k/kustomization.yaml': 'images:\n  - name: web\n    newTags: "2"\n' }, /images\[0\]\.newTags is not a field of images/);
    refused({ 'k/kustomization.yaml': 'kind: Kustomisation\nresources: []\n' }, /kind should be Kustomization or Component/);
  });
  it('replicas for a name no workload has', () => {
    refused({ 'k/kustomization.yaml': 'resources: [a.yaml]\nreplicas: [{name: web, count: 2}]\n', 'k/a.yaml': cm('web') }, /replicas: no Deployment, ReplicationController, ReplicaSet or StatefulSet is named web/);
  });
  it('invalid YAML in the kustomization, with its line', () => {
    refused({ 'k/kustomization.yaml': 'resources:\n  - a.yaml\n namePrefix: x\n' }, /^k\/kustomization\.yaml:3: invalid YAML/);
  });
});

describe('kustomize build: bounded', () => {
  it('a lattice of bases that would be read a million times is refused', () => {
    const files: Record<string, string> = { 'l0/kustomization.yaml': 'resources: [a.yaml]\n', 'l0/a.yaml': cm('a') };
    for (let i = 1; i <= 20; i++) {
      files[`l${i}/kustomization.yaml`] = `resources: [../l${i}x, ../l${i}y]\n`;
      files[`l${i}x/kustomization.yaml`] = `namePrefix: x-\nresources: [../l${i - 1}]\n`;
      files[`l${i}y/kustomization.yaml`] = `namePrefix: y-\nresources: [../l${i - 1}]\n`;
    }
    refused(files, /refused: the build reads more than 2,000 files or 64 MiB in all/, 'l20');
  });
});
