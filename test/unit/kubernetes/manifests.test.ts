import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findManifestFiles, parseManifests, secretLinesOf, secretValues, templateText } from '../../../plugins/kubernetes/manifests.ts';
import { locateField } from '../../../plugins/kubernetes/source-line.ts';

const yaml = (text: string, name = 'a.yaml') => parseManifests({ name, text, json: false });

describe('parseManifests', () => {
  it('splits documents at --- lines only, skips empty and comment-only ones, and keeps their lines', () => {
    const text = [
      '# leading comment',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: a}',
      'data:',
      '  script: |',
      '    echo "--- not a separator"',
      '---',
      '# only a comment',
      '---',
      '',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: b}',
      '---',
    ].join('\n');
    const out = yaml(text);
    assert.deepEqual(out.map((o) => [o.object.metadata.name, o.source.line]), [['a', 3], ['b', 13]]);
    assert.equal((out[0]!.object.data as { script: string }).script, 'echo "--- not a separator"\n');
  });

  it('flattens kind List and reads JSON', () => {
    const list = parseManifests({ name: 'l.json', json: true, text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'y' } }] }) });
    assert.deepEqual(list.map((o) => o.object.kind), ['ConfigMap', 'Secret']);
  });

  it('names file and line for invalid YAML, duplicate keys and objects without kind or name', () => {
    assert.throws(() => yaml('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n data: x\n'), /: a.yaml:5: invalid YAML: bad indentation/);
    assert.throws(() => yaml('---\napiVersion: v1\nkind: ConfigMap\nkind: Secret\n'), /a.yaml:4: invalid YAML: duplicated mapping key/);
    assert.throws(() => yaml('apiVersion: v1\nmetadata: {name: a}\n'), /a.yaml:1: the object has no kind/);
    assert.throws(() => yaml('apiVersion: v1\nkind: Pod\nmetadata: {generateName: a-}\n'), (e: Error & { hint?: string }) => /has no metadata.name/.test(e.message) && /generateName is not supported/.test(e.hint ?? ''));
    assert.throws(() => yaml('- a\n- b\n'), /expected a Kubernetes object .* got a list/);
  });
});

describe('locateField', () => {
  const doc = ['apiVersion: apps/v1', 'kind: Deployment', 'spec:', '  replicas: 1', '  template:', '    spec:', '      containers:', '        - name: side', '          image: a', '        - name: app', '          imagePullPolcy: Always', '  replicaz: 2'].join('\n');
  it('finds nested fields, list items by key, and falls back to the nearest parent', () => {
    assert.equal(locateField(doc, '.spec.replicaz'), 11);
    assert.equal(locateField(doc, '.spec.template.spec.containers[name="app"].imagePullPolcy'), 10);
    assert.equal(locateField(doc, 'spec.template.spec.volumes'), 5);
    assert.equal(locateField(doc, 'status'), undefined);
  });
});

describe('manifest sources', () => {
  it('expands directories recursively and globs, in the order given, without repeats', () => {
    const ws = mkdtempSync(join(tmpdir(), 'sortie-manifests-'));
    mkdirSync(join(ws, 'k8s/base'), { recursive: true });
    for (const f of ['k8s/b.yaml', 'k8s/a.yml', 'k8s/base/c.json', 'k8s/notes.txt', 'extra.yaml']) writeFileSync(join(ws, f), '');
    assert.deepEqual(findManifestFiles(['extra.yaml', 'k8s/', 'k8s/*.yaml'], ws), ['extra.yaml', 'k8s/a.yml', 'k8s/b.yaml', 'k8s/base/c.json']);
    assert.throws(() => findManifestFiles(['missing/'], ws), /settings.manifests: missing\/ does not exist/);
    assert.throws(() => findManifestFiles(['*.toml'], ws), /matches no .yaml, .yml or .json file/);
  });

  it('takes a template inline, from a file, or as {type, data}', () => {
    const ws = mkdtempSync(join(tmpdir(), 'sortie-template-'));
    writeFileSync(join(ws, 'deploy.yaml'), 'kind: X');
    assert.deepEqual(templateText('deploy.yaml', ws), { name: 'deploy.yaml', text: 'kind: X', json: false });
    assert.equal(templateText('{"type":"yaml","data":"kind: Y"}', ws).text, 'kind: Y');
    assert.equal(templateText('apiVersion: v1\nkind: Z\n', ws).name, 'settings.template');
  });
});

describe('secretValues', () => {
  it('gives every value of a Secret, whatever its YAML type: data as written and decoded, stringData as is', () => {
    const pw = Buffer.from('correct-horse-battery').toString('base64');
    const values = secretValues(
      yaml(`apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  pw: ${pw}\nstringData:\n  token: tok-9f8e7d6c5b\n  pin: 493817\n  on: true\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: not-a-secret}\n`),
    );
    assert.deepEqual(values, [pw, 'correct-horse-battery', 'tok-9f8e7d6c5b', '493817', 'true']);
    // A data value that is not base64 is kept as written only: decoding it would give noise.
    assert.deepEqual(secretValues(yaml('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  pin: 493817\n')), ['493817']);
  });
});

describe('document markers', () => {
  it('keeps content after --- and line numbers after it', () => {
    const out = yaml('--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n--- # b\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n...\n');
    assert.deepEqual(out.map((o) => [o.object.metadata.name, o.source.line]), [['a', 1], ['b', 3]]);
    assert.throws(() => yaml('---\n# first\n---\napiVersion: v1\nkind: [a\nmetadata: {name: b}\n'), /a.yaml:6: invalid YAML/);
  });
});

describe('secretLinesOf', () => {
  it("reads a Secret's data and stringData values line by line, from a text that does not parse", () => {
    const text = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: "Hx7Jk9Lm"\n  note: {{oops\n  file: |\n    body\ndata:\n  key: aGVsbG8=\ntype: Opaque\n---\nkind: ConfigMap\ndata:\n  plain: shown\n`;
    assert.deepEqual(secretLinesOf(text), ['Hx7Jk9Lm', '{{oops', 'aGVsbG8=']);
  });
});
