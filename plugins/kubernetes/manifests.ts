import { existsSync, globSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { Schema } from 'js-yaml';
import { PluginError } from '../../shared/errors.ts';
import { MAX_INPUT_FILE_BYTES } from '../../shared/limits.ts';
import { readTextFile } from '../../shared/read-file.ts';
import { excerpt } from '../../shared/secrets.ts';
import { workspacePathProblem } from '../../shared/settings/index.ts';
import { YamlLimitError, loadBoundedYaml, nodeBudget } from '../../shared/yaml.ts';

/** Where an object was written: shown with every message about it. */
export interface Source {
  readonly file: string;
  /** 1-based line of the object's document. */
  readonly line: number;
  /** The document's text, to find a field's line in a server error. */
  readonly text: string;
}

export interface Manifest {
  readonly object: KubeObject;
  readonly source: Source;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ManifestText {
  /** The path as the user wrote it (relative to the workspace), or `settings.template`. */
  readonly name: string;
  readonly text: string;
  readonly json: boolean;
  /** How scalars are read; Kubernetes' Go tools' way by default. */
  readonly schema?: Schema;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Files, directories (recursive, sorted) and globs, in the order given; each must match something. */
export function findManifestFiles(entries: readonly string[], workspace: string): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    const abs = isAbsolute(entry) ? entry : join(workspace, entry);
    let found: string[];
    if (/[*?[{]/.test(entry)) {
      found = globSync(entry, { cwd: workspace })
        .map((f) => join(workspace, f))
        .filter((f) => statSync(f).isFile())
        .sort();
    } else if (!existsSync(abs)) {
      throw new PluginError(`settings.manifests: ${entry} does not exist (in ${workspace})`, {
        hint: 'Paths are relative to the workspace (the repository root). Drone joins a YAML list with commas, so a name cannot contain one.',
      });
    } else {
      found = statSync(abs).isDirectory() ? walk(abs) : [abs];
    }
    if (found.length === 0) throw new PluginError(`settings.manifests: ${entry} matches no .yaml, .yml or .json file`);
    // A directory may hold a symlink to one outside the workspace, which the walk follows.
    for (const f of found) {
      const problem = workspacePathProblem('workspace', relative(workspace, f), workspace);
      if (problem) throw new PluginError(`settings.manifests: ${problem}, found in ${entry}`);
    }
    for (const f of found) if (!out.includes(f)) out.push(f);
  }
  return out.map((f) => relative(workspace, f) || f);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && MANIFEST_FILE.test(d.name))
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

export function readManifestFiles(files: readonly string[], workspace: string): ManifestText[] {
  return files.map((name) => ({ name, text: readManifestFile(isAbsolute(name) ? name : join(workspace, name), name, 'manifests'), json: /\.json$/i.test(name) }));
}

function readManifestFile(path: string, shown: string, setting: string): string {
  const text = readTextFile(path, { shown, maxBytes: MAX_INPUT_FILE_BYTES });
  if (text === undefined) throw new PluginError(`settings.${setting}: ${shown} does not exist`);
  return text;
}

/**
 * `settings.template`: Drone turns `template: {type: yaml, data: "..."}` into JSON; a value that
 * names a file in the workspace is that file; anything else is the manifest itself.
 */
export function templateText(value: string, workspace: string): ManifestText {
  const v = value.trim();
  if (v.startsWith('{') && /"data"\s*:/.test(v)) {
    try {
      const spec = JSON.parse(v) as { type?: string; data?: unknown };
      if (typeof spec.data === 'string') return { name: 'settings.template', text: spec.data, json: spec.type === 'json' };
    } catch {
      // Not the {type, data} form: an inline JSON manifest.
    }
  }
  if (!v.includes('\n') && MANIFEST_FILE.test(v)) {
    const path = isAbsolute(v) ? v : join(workspace, v);
    if (!existsSync(path)) throw new PluginError(`settings.template: ${v} does not exist (in ${workspace})`);
    return { name: v, text: readManifestFile(path, v, 'template'), json: /\.json$/i.test(v) };
  }
  return { name: 'settings.template', text: value, json: false };
}

/**
 * Splits multi-document YAML at `---` lines (never inside a value: a block scalar's lines are
 * indented), skips empty and comment-only documents, and flattens `kind: List`.
 */
export function parseManifests(m: ManifestText): Manifest[] {
  const out: Manifest[] = [];
  const budget = nodeBudget();
  for (const doc of splitDocuments(m.text)) {
    if (!/^[ \t]*[^\s#]/m.test(doc.text)) continue;
    let value: unknown;
    try {
      value = loadBoundedYaml(doc.text, budget, m.name, m.schema);
    } catch (err) {
      if (err instanceof YamlLimitError) {
        throw new PluginError(`${m.name}:${firstContentLine(doc)}: refused: ${err.message}`, {
          hint: 'A manifest this large is almost certainly a mistake or an attack ("billion laughs"); write the objects out without so many aliases.',
        });
      }
      const e = err as { reason?: string; mark?: { line: number; column: number }; message: string };
      const line = doc.line + (e.mark?.line ?? 0);
      throw new PluginError(`${m.name}:${line}: invalid ${m.json ? 'JSON' : 'YAML'}: ${e.reason ?? e.message}`, {
        hint: 'Check the indentation and quoting around that line (after ${VAR} and {{ }} were filled in).',
      });
    }
    if (value === null || value === undefined) continue;
    const source: Source = { file: m.name, line: firstContentLine(doc), text: doc.text };
    for (const object of flatten(value, source)) out.push({ object, source });
  }
  return out;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// `key: |` opens a block scalar: the indicator is YAML, not the value.
const BLOCK_INDICATOR = /^[|>][+-]?\d?$/;

/**
 * The values of the Secrets among the manifests, whatever their YAML type (`pin: 493817` too):
 * `data` both as written and decoded, since a server's message may quote either.
 */
export function secretValues(manifests: readonly Manifest[]): string[] {
  const out: string[] = [];
  for (const { object } of manifests) {
    if (object.kind !== 'Secret' || object.apiVersion !== 'v1') continue;
    // kustomize's secretGenerator writes base64 in lines of 70 characters.
    for (const v of valuesOf(object.data)) out.push(v, ...(BASE64.test(v.replace(/\s+/g, '')) ? [Buffer.from(v, 'base64').toString('utf8')] : []));
    out.push(...valuesOf(object.stringData));
  }
  return out;
}

/**
 * The values under `data:` and `stringData:` of each document that says `kind: Secret`, read line
 * by line from a text that may not parse yet: registered before it is rendered and parsed, so an
 * error quoting the broken text cannot show them. `secretValues` reads the parsed objects.
 */
export function secretLinesOf(text: string): string[] {
  const out: string[] = [];
  for (const doc of splitDocuments(text)) {
    if (!/^kind:\s*["']?Secret["']?\s*$/m.test(doc.text)) continue;
    let inData = false;
    for (const line of doc.text.split('\n')) {
      if (/^\S/.test(line)) inData = /^(data|stringData):\s*$/.test(line.trimEnd());
      else if (inData) {
        const value = /^\s+[^\s#:][^:]*:\s*(.*?)\s*$/.exec(line)?.[1];
        if (value && !BLOCK_INDICATOR.test(value)) out.push(value.replace(/^(["'])(.*)\1$/, '$2'));
      }
    }
  }
  return out;
}

function valuesOf(field: unknown): string[] {
  if (field === null || typeof field !== 'object') return [];
  return Object.values(field).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}

function flatten(value: unknown, source: Source): KubeObject[] {
  const at = `${source.file}:${source.line}`;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new PluginError(`${at}: expected a Kubernetes object (apiVersion, kind, metadata), got ${Array.isArray(value) ? 'a list' : `the ${typeof value} ${excerpt(JSON.stringify(value), 40)}`}`);
  }
  const o = value as Record<string, unknown>;
  if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) return o.items.flatMap((item) => flatten(item, source));
  if (typeof o.apiVersion !== 'string' || !o.apiVersion) throw new PluginError(`${at}: the object has no apiVersion`);
  if (typeof o.kind !== 'string' || !o.kind) throw new PluginError(`${at}: the object has no kind`);
  const md = o.metadata;
  if (md === null || typeof md !== 'object' || typeof (md as { name?: unknown }).name !== 'string' || !(md as { name: string }).name) {
    throw new PluginError(`${at}: the ${o.kind} has no metadata.name`, {
      hint: (md as { generateName?: unknown } | undefined)?.generateName ? 'Server-side apply needs a fixed name; generateName is not supported.' : undefined,
    });
  }
  return [o as KubeObject];
}

export interface Doc {
  readonly text: string;
  /** 1-based line of the document's first line in the file. */
  readonly line: number;
}

export function splitDocuments(text: string): Doc[] {
  const lines = text.split(/\r?\n/);
  const docs: Doc[] = [];
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!/^(---|\.\.\.)(\s|$)/.test(lines[i]!)) continue;
    docs.push({ text: lines.slice(start, i).join('\n'), line: start + 1 });
    // The marker line opens the next document, blanked: `--- {a: 1}` keeps its content, and
    // every line keeps its number.
    lines[i] = lines[i]!.replace(/^(---|\.\.\.)/, '   ');
    start = i;
  }
  docs.push({ text: lines.slice(start).join('\n'), line: start + 1 });
  return docs;
}

function firstContentLine(doc: Doc): number {
  const idx = doc.text.split('\n').findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  return doc.line + Math.max(0, idx);
}
