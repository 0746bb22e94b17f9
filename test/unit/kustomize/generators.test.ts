import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generate, nameHash } from '../../../plugins/kubernetes/kustomize/generators.ts';
import type { Kustomization, Resource } from '../../../plugins/kubernetes/kustomize/types.ts';
import { type KubeObject, secretValues } from '../../../plugins/kubernetes/manifests.ts';
import { kustomizationFile, memoryLoader } from './memory-loader.ts';

const file = (kustomization: Kustomization) => kustomizationFile(kustomization, 'configMapGenerator:\n');

describe('nameHash', () => {
  // The names kubectl kustomize gave these objects: cm-hmg6f82fh6, sec-cm7kt9bcf6, and with HTML characters bc8gg88t67.
  it('is kustomize\'s hash of the data (and type, for a Secret), whatever the name', () => {
    assert.equal(nameHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { x: '1' } }), 'hmg6f82fh6');
    assert.equal(nameHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prefixed-cm' }, data: { x: '1' } }), 'hmg6f82fh6');
    assert.equal(nameHash({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, type: 'Opaque', data: { p: 'cHc=' } }), 'cm7kt9bcf6');
  });

  it('escapes <, > and & as Go\'s JSON does, and counts binaryData', () => {
    const data = { A: '1', 'B ': ' two ', C: '"q"', D: "'s'", E: 'x=y', 'export F': '1', 'f.txt': 'hello\n', renamed: 'hello\n', v: '<&>', w: '', x: '1', y: 'quoted', z: 's' };
    assert.equal(nameHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data, binaryData: { 'bin.dat': 'AP/+' } }), 'bc8gg88t67');
  });
});

describe('generate', () => {
  const loader = memoryLoader({ 'a.env': '\uFEFFA=1\n  B = two \n# comment\nC="q"\r\nE=x=y\n', 'f.txt': 'hello\n', 'bin.dat': Buffer.from([0, 0xff, 0xfe]), 'no-eq.env': 'TOKEN\n' });

  it('builds a ConfigMap from literals, files and env files as kustomize reads them', () => {
    const [r] = generate([], file({ configMapGenerator: [{ name: 'cm', literals: ['x=1', 'y="quoted"', "z='s'", 'w='], files: ['f.txt', 'renamed=f.txt', 'bin.dat'], envs: ['a.env'] }] }), loader);
    assert.deepEqual(r?.object, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm' },
      data: { x: '1', y: 'quoted', z: 's', w: '', 'f.txt': 'hello\n', renamed: 'hello\n', A: '1', 'B ': ' two ', C: '"q"', E: 'x=y' },
      binaryData: { 'bin.dat': 'AP/+' },
    });
    assert.equal(r?.hashSuffix, true);
  });

  it('builds a Secret with its type, options over generatorOptions, and long values in lines of 70', () => {
    const k = file({
      generatorOptions: { labels: { a: 'global', b: 'global' }, annotations: { n: '1' }, immutable: true },
      secretGenerator: [{ name: 's', namespace: 'ns', type: 'kubernetes.io/tls', literals: [`key=${'k'.repeat(60)}`, 'pw=pw'], options: { labels: { b: 'own' }, disableNameSuffixHash: true } }],
    });
    const [r] = generate([], k, loader);
    const base64 = Buffer.from('k'.repeat(60)).toString('base64');
    assert.deepEqual(r?.object, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'ns', labels: { a: 'global', b: 'own' }, annotations: { n: '1' } },
      data: { key: `${base64.slice(0, 70)}\n${base64.slice(70)}\n`, pw: 'cHc=' },
      type: 'kubernetes.io/tls',
      immutable: true,
    });
    assert.equal(r?.hashSuffix, false);
  });

  it('makes Secrets whose values, long ones too, the plugin registers as secrets before it logs', () => {
    const key = `-----BEGIN PRIVATE KEY-----\n${'k'.repeat(200)}\n-----END PRIVATE KEY-----\n`;
    const built = generate([], file({ secretGenerator: [{ name: 's', literals: [`tls.key=${key}`, 'short=pw'] }] }), loader);
    const registered = secretValues(built.map(({ object, source }) => ({ object, source })));
    assert.ok(registered.includes(key), 'the value as written');
    assert.ok(registered.includes('pw'));
  });

  it('merges into and replaces a base\'s object, which keeps its name and place', () => {
    const base: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b-cm', labels: { from: 'base' }, annotations: { x: 'base' } }, data: { a: '1', b: '2' } };
    const resource: Resource = { object: base, source: { file: 'base/k.yaml', line: 1, text: '' }, origin: { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', namespace: undefined }, previous: [], prefixes: ['b-'], suffixes: [], hashSuffix: true };
    const merged = generate([resource], file({ configMapGenerator: [{ name: 'cm', behavior: 'merge', literals: ['b=3', 'c=4'], options: { labels: { from: 'overlay' } } }] }), loader);
    assert.equal(merged.length, 1);
    assert.deepEqual(merged[0]?.object, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b-cm', labels: { from: 'overlay' }, annotations: { x: 'base' } }, data: { a: '1', b: '3', c: '4' } });
    generate(merged, file({ configMapGenerator: [{ name: 'b-cm', behavior: 'replace', literals: ['z=9'] }] }), loader);
    assert.deepEqual(merged[0]?.object.data, { z: '9' });
  });

  it('refuses what kustomize refuses, naming the generator', () => {
    assert.throws(() => generate([], file({ configMapGenerator: [{ name: 'cm', behavior: 'merge', literals: ['a=1'] }] }), loader), /k\/kustomization.yaml:1: configMapGenerator\[0\]: behavior: merge needs a ConfigMap named cm from a base/);
    assert.throws(() => generate([], file({ configMapGenerator: [{ name: 'cm', literals: ['a=1', 'a=2'] }] }), loader), /key "a" is given twice/);
    assert.throws(() => generate([], file({ configMapGenerator: [{ name: 'cm', literals: ['novalue'] }] }), loader), /literals\[0\]: expected key=value/);
    assert.throws(() => generate([], file({ configMapGenerator: [{ name: 'cm', literal: ['a=1'] } as never] }), loader), /k\/kustomization.yaml:1: configMapGenerator\[0\].literal is not a field of configMapGenerator/);
    assert.throws(() => generate([], file({ configMapGenerator: [{ name: 'cm', literals: 'a=1' } as never] }), loader), /configMapGenerator\[0\].literals: expected a list of strings/);
    assert.throws(() => generate([], file({ generatorOptions: { labels: { n: 1 } } as never, configMapGenerator: [] }), loader), /generatorOptions.labels: expected a map of strings/);
    const twice = file({ configMapGenerator: [{ name: 'cm' }, { name: 'cm' }] });
    assert.throws(() => generate([], twice, loader), /ConfigMap cm already exists/);
  });

  it('does not quote an env line without "=", which may be a bare secret', () => {
    assert.throws(
      () => generate([], file({ secretGenerator: [{ name: 's', envs: ['no-eq.env'] }] }), loader),
      (err: Error) => /k\/no-eq.env:1: the line has no "="/.test(err.message) && !err.message.includes('TOKEN'),
    );
  });
});
