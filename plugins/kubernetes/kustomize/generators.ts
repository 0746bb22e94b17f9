import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { PluginError } from '../../../shared/errors.ts';
import type { KubeObject } from '../manifests.ts';
import { locateField } from '../source-line.ts';
import { goJson } from './go-json.ts';
import { checkGeneratorFields } from './transform-fields.ts';
import type { GeneratorArgs, GeneratorOptions, KustomizationFile, Loader, Resource, SecretArgs } from './types.ts';

type GeneratorField = 'configMapGenerator' | 'secretGenerator';

/**
 * `resources` with the objects of `k`'s configMapGenerator and secretGenerator (generatorOptions
 * merged in) added, or merged into or replacing those of a base as their `behavior` says.
 * Called only when `k` has either generator.
 */
export function generate(resources: Resource[], k: KustomizationFile, loader: Loader): Resource[] {
  checkGeneratorFields(k);
  const out = [...resources];
  const fields: [GeneratorField, GeneratorArgs[] | undefined][] = [
    ['configMapGenerator', k.kustomization.configMapGenerator],
    ['secretGenerator', k.kustomization.secretGenerator],
  ];
  for (const [field, list] of fields) {
    for (const [i, args] of (list ?? []).entries()) {
      const at = `${k.file}:${lineOf(k, field, i, args.name)}: ${field}[${i}]`;
      const options = mergedOptions(k.kustomization.generatorOptions, args.options);
      const object = generatedObject(field, args, options, loader, at);
      const behavior = args.behavior ?? 'create';
      if (!['create', 'merge', 'replace'].includes(behavior)) throw new PluginError(`${at}: behavior must be create, merge or replace, not ${JSON.stringify(behavior)}`);
      const matches = existing(out, object, behavior === 'create');
      if (behavior === 'create') {
        if (matches.length > 0) throw new PluginError(`${at}: ${object.kind} ${object.metadata.name} already exists (from ${matches[0]!.source.file}); use behavior: merge or replace to change it`);
        out.push({
          object,
          source: { file: k.file, line: lineOf(k, field, i, args.name), text: k.text },
          origin: { apiVersion: 'v1', kind: object.kind, name: object.metadata.name!, namespace: object.metadata.namespace },
          previous: [],
          prefixes: [],
          suffixes: [],
          hashSuffix: options.disableNameSuffixHash !== true,
        });
        continue;
      }
      if (matches.length !== 1) {
        throw new PluginError(
          matches.length === 0
            ? `${at}: behavior: ${behavior} needs a ${object.kind} named ${object.metadata.name} from a base, and there is none`
            : `${at}: behavior: ${behavior} matches ${matches.length} objects named ${object.metadata.name}; give its namespace`,
        );
      }
      absorb(matches[0]!, object, behavior);
      // kustomize keeps the hash only when both the base's object and the new generator want it.
      matches[0]!.hashSuffix &&= options.disableNameSuffixHash !== true;
    }
  }
  return out;
}

function lineOf(k: KustomizationFile, field: GeneratorField, i: number, name: string | undefined): number {
  const found = name === undefined ? undefined : locateField(k.text, `${field}[name="${name}"]`);
  return (found ?? locateField(k.text, field) ?? 0) + 1 + (name === undefined ? i : 0);
}

/** A generator's own options win over generatorOptions; either one disabling the hash disables it. */
function mergedOptions(global: GeneratorOptions | undefined, local: GeneratorOptions | undefined): GeneratorOptions {
  return {
    labels: { ...global?.labels, ...local?.labels },
    annotations: { ...global?.annotations, ...local?.annotations },
    disableNameSuffixHash: global?.disableNameSuffixHash === true || local?.disableNameSuffixHash === true,
    immutable: global?.immutable === true || local?.immutable === true,
  };
}

function generatedObject(field: GeneratorField, args: GeneratorArgs, options: GeneratorOptions, loader: Loader, at: string): KubeObject {
  if (!args.name) throw new PluginError(`${at}: name is missing`);
  const secret = field === 'secretGenerator';
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  const put = (key: string, value: string | Buffer, from: string) => {
    if (Object.hasOwn(data, key) || Object.hasOwn(binaryData, key)) throw new PluginError(`${at}: key ${JSON.stringify(key)} is given twice (again in ${from})`);
    const text = typeof value === 'string' ? value : utf8(value);
    if (secret) data[key] = base64Lines(Buffer.from(value));
    else if (text === undefined) binaryData[key] = Buffer.from(value).toString('base64');
    else data[key] = text;
  };
  for (const [i, literal] of (args.literals ?? []).entries()) {
    const eq = String(literal).indexOf('=');
    if (eq < 0) throw new PluginError(`${at}.literals[${i}]: expected key=value`);
    put(String(literal).slice(0, eq), unquoted(String(literal).slice(eq + 1)), `literals[${i}]`);
  }
  for (const [i, entry] of (args.files ?? []).entries()) {
    const eq = entry.indexOf('=');
    const key = eq < 0 ? basename(entry) : entry.slice(0, eq);
    const path = eq < 0 ? entry : entry.slice(eq + 1);
    if (key === '' || path === '') throw new PluginError(`${at}.files[${i}]: expected a path or key=path, got ${JSON.stringify(entry)}`);
    put(key, loader.readData(path, `${field}.files[${i}]`).bytes, `files[${i}]`);
  }
  const envs = [...(args.envs ?? []), ...(args.env ? [args.env] : [])];
  for (const [i, path] of envs.entries()) {
    const file = loader.readData(path, `${field}.envs[${i}]`);
    const text = utf8(file.bytes);
    if (text === undefined) throw new PluginError(`${file.shown}: not UTF-8 text, so not an env file`);
    for (const [key, value, line] of envPairs(text)) {
      if (value === undefined) {
        // The line is not quoted: in a secretGenerator's env file it may be a bare secret.
        throw new PluginError(`${file.shown}:${line}: the line has no "=": kubectl kustomize would copy that variable from its own environment, which a step does not share`, {
          hint: 'Write KEY=value on that line, or give the value under literals.',
        });
      }
      put(key, value, `${file.shown}:${line}`);
    }
  }
  const metadata: KubeObject['metadata'] = { name: args.name };
  if (args.namespace) metadata.namespace = args.namespace;
  if (Object.keys(options.labels ?? {}).length > 0) metadata.labels = { ...options.labels };
  if (Object.keys(options.annotations ?? {}).length > 0) metadata.annotations = { ...options.annotations };
  const object: KubeObject = { apiVersion: 'v1', kind: secret ? 'Secret' : 'ConfigMap', metadata };
  if (Object.keys(data).length > 0) object.data = data;
  if (Object.keys(binaryData).length > 0) object.binaryData = binaryData;
  if (secret) object.type = (args as SecretArgs).type ?? 'Opaque';
  if (options.immutable) object.immutable = true;
  return object;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of a file that is UTF-8; undefined for one that is not (kustomize puts it under binaryData). */
function utf8(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * kustomize's encodeBase64 for Secret data: a value whose base64 reaches 70 characters is cut into
 * lines of 70, each ending in a newline (the value, and so the hash, holds them).
 */
function base64Lines(bytes: Buffer): string {
  const encoded = bytes.toString('base64');
  if (encoded.length < 70) return encoded;
  return encoded.replace(/.{1,70}/g, '$&\n');
}

/** kustomize strips one pair of matching quotes around a literal's value. */
function unquoted(value: string): string {
  return value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0] ? value.slice(1, -1) : value;
}

/** An env file's pairs as kustomize reads them: leading blanks, blank lines and `#` lines skipped. */
function envPairs(text: string): [key: string, value: string | undefined, line: number][] {
  const out: [string, string | undefined, number][] = [];
  for (const [i, raw] of text.replace(/^\uFEFF/, '').split('\n').entries()) {
    const line = raw.replace(/\r$/, '').trimStart();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    out.push(eq < 0 ? [line, undefined, i + 1] : [line.slice(0, eq), line.slice(eq + 1), i + 1]);
  }
  return out;
}

/**
 * kustomize's id match: same kind and a name the object has or had, in the same namespace; for
 * merge and replace, in any namespace when none is the same.
 */
function existing(resources: Resource[], object: KubeObject, sameNamespaceOnly: boolean): Resource[] {
  const named = resources.filter(
    (r) =>
      r.object.kind === object.kind &&
      (r.object.metadata.name === object.metadata.name || r.origin.name === object.metadata.name || r.previous.some((p) => p.name === object.metadata.name)),
  );
  const inNamespace = named.filter((r) => (r.object.metadata.namespace ?? 'default') === (object.metadata.namespace ?? 'default'));
  return inNamespace.length > 0 || sameNamespaceOnly ? inNamespace : named;
}

/** The base's object takes the new data (all of it for replace), labels and annotations; it keeps its name and place. */
function absorb(base: Resource, object: KubeObject, behavior: 'merge' | 'replace'): void {
  const old = base.object;
  const merged: KubeObject = { ...object, metadata: { ...old.metadata } };
  for (const key of ['labels', 'annotations'] as const) {
    const both = { ...old.metadata[key], ...object.metadata[key] };
    if (Object.keys(both).length > 0) merged.metadata[key] = both;
  }
  if (behavior === 'merge') {
    for (const key of ['data', 'binaryData'] as const) {
      const both = { ...(old[key] as Record<string, string> | undefined), ...(object[key] as Record<string, string> | undefined) };
      if (Object.keys(both).length > 0) merged[key] = both;
    }
  }
  base.object = merged;
}

/**
 * The suffix kustomize appends to a generated ConfigMap's or Secret's name (api/hasher): the
 * sha256 of Go's JSON of its kind, data, binaryData (and type, for a Secret), the first ten hex
 * digits with 0, 1, 3, a, e swapped for letters so the result never reads as a number. Its name
 * is in the hashed map too, but looked up as a field literally called "metadata/name", so always "".
 */
export function nameHash(object: KubeObject): string {
  const hashed: Record<string, unknown> = { kind: object.kind, name: '', data: object.data ?? '' };
  if (object.kind === 'Secret') {
    hashed.type = object.type ?? '';
    if (isMapValue(object.stringData)) hashed.stringData = object.stringData;
  } else if (isMapValue(object.binaryData)) hashed.binaryData = object.binaryData;
  const hex = createHash('sha256').update(goJson(hashed)).digest('hex');
  return hex.slice(0, 10).replace(/[013ae]/g, (c) => ({ 0: 'g', 1: 'h', 3: 'k', a: 'm', e: 't' })[c as '0']);
}

const isMapValue = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
