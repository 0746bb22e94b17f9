// Request body decoding (YAML 1.1 like sigs.k8s.io/yaml, duplicate-key detection) and the validation
// steps whose error bodies the recordings show (08 fieldValidation, 09 Invalid, 10 custom resources).
import * as yaml from 'js-yaml';
import { isObj } from './fields.ts';
import { checkTypes, type Schema } from './schema.ts';
import { badRequest, type Cause, invalid, status } from './status.ts';

type Obj = Record<string, unknown>;

interface Decoded {
  value: unknown;
  /** "line 8: key \"replicas\" already set in map", when the YAML repeats a key */
  duplicate?: string;
}

export function decode(raw: string, contentType: string): Decoded {
  const isJson = contentType.includes('json') && !contentType.includes('apply-patch');
  if (isJson) {
    try {
      return { value: JSON.parse(raw) };
    } catch (e) {
      throw badRequest(`error decoding JSON: ${(e as Error).message}`);
    }
  }
  let duplicate: string | undefined;
  try {
    yaml.load(raw, { schema: yaml.YAML11_SCHEMA });
  } catch (e) {
    const err = e as { reason?: string; message: string; mark?: { line: number; position: number; buffer: string } };
    if (!err.message.startsWith('duplicated mapping key') || !err.mark) throw badRequest(`error converting YAML to JSON: yaml: ${err.message.split('\n')[0]}`);
    const lineText = raw.split('\n')[err.mark.line] ?? '';
    const keyName = lineText.trim().replace(/^-\s*/, '').split(':')[0]!.replace(/^["']|["']$/g, '');
    duplicate = `line ${err.mark.line + 1}: key "${keyName}" already set in map`;
  }
  // later duplicates win, as in Go's YAML-to-JSON conversion
  return { value: yaml.load(raw, { schema: yaml.YAML11_SCHEMA, json: true }), duplicate };
}

type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '' || v === 'Warn') return 'Warn';
  if (v === 'Strict' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${v}"`);
}

interface GvkLabel {
  group: string;
  version: string;
  kind: string;
}

const gvkString = (g: GvkLabel) => `${g.group ? `${g.group}/` : '/'}${g.version}, Kind=${g.kind}`;

/** The typed merge of server-side apply: unknown fields and wrong types fail with 500, whatever fieldValidation says. */
export function checkApplyTypes(schema: Schema, obj: Obj, gvk: GvkLabel, namespace: string, custom: boolean): void {
  const problems = checkTypes(schema, obj).filter((p) => !(custom && p.unknown));
  if (!problems.length) return;
  const m = isObj(obj.metadata) ? obj.metadata : {};
  const name = typeof m.name === 'string' ? m.name : '';
  const first = problems[0]!;
  throw status(500, undefined, `failed to create typed patch object (${namespace}/${name}; ${gvkString(gvk)}): ${first.path}: ${first.message}`);
}

/** Strict decoding of create/update bodies: unknown fields are errors (Strict) or warnings (Warn). */
export function checkWriteFields(schema: Schema, obj: Obj, gvk: GvkLabel, mode: FieldValidation, duplicate: string | undefined, custom: boolean): string[] {
  if (mode === 'Ignore') return [];
  const unknown = custom ? [] : checkTypes(schema, obj).filter((p) => p.unknown);
  const problems = [...(duplicate ? [duplicate] : []), ...unknown.map((p) => `unknown field "${p.indexPath}"`)];
  if (!problems.length) return [];
  if (mode === 'Strict') {
    const prefix = `${gvk.kind} in version "${gvk.version}" cannot be handled as a ${gvk.kind}: strict decoding error: `;
    if (duplicate) throw badRequest(`${prefix}yaml: unmarshal errors:\n  ${duplicate}`);
    throw badRequest(prefix + problems.join(', '));
  }
  return problems;
}

/** Type errors of custom resources on create/update, from OpenAPI schema validation (422, one cause per field). */
export function checkCustomTypes(schema: Schema, obj: Obj, gvk: GvkLabel): void {
  const problems = checkTypes(schema, obj).filter((p) => !p.unknown);
  if (!problems.length) return;
  const name = String((obj.metadata as Obj | undefined)?.name ?? '');
  const causes: Cause[] = problems.map((p) => {
    const field = p.indexPath;
    const actual = jsonType(valueAtIndexPath(obj, field));
    const expected = expectedType(p.message);
    return { reason: 'FieldValueTypeInvalid', message: `Invalid value: "${actual}": ${field} in body must be of type ${expected}: "${actual}"`, field };
  });
  throw invalid(gvk.kind, gvk.group, name, causes);
}

function expectedType(message: string): string {
  if (message.startsWith('expected string or numeric')) return 'integer,string';
  if (message.startsWith('expected string')) return 'string';
  if (message.startsWith('expected numeric')) return 'integer';
  if (message.startsWith('expected boolean')) return 'boolean';
  if (message.startsWith('expected list')) return 'array';
  return 'object';
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

function valueAtIndexPath(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    v = isObj(v) ? v[m[1]!] : undefined;
    for (const idx of m[2]!.match(/\d+/g) ?? []) v = Array.isArray(v) ? v[Number(idx)] : undefined;
  }
  return v;
}

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function selectorMatches(selector: unknown, labels: Obj): boolean {
  if (!isObj(selector)) return false;
  const ml = isObj(selector.matchLabels) ? selector.matchLabels : {};
  if (!Object.entries(ml).every(([k, v]) => labels[k] === v)) return false;
  for (const e of Array.isArray(selector.matchExpressions) ? (selector.matchExpressions as Obj[]) : []) {
    const key = String(e.key);
    const values = Array.isArray(e.values) ? e.values : [];
    if (e.operator === 'In' && !values.includes(labels[key])) return false;
    if (e.operator === 'NotIn' && values.includes(labels[key])) return false;
    if (e.operator === 'Exists' && !(key in labels)) return false;
    if (e.operator === 'DoesNotExist' && key in labels) return false;
  }
  return Object.keys(ml).length > 0 || (Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0);
}

function validatePodSpec(spec: unknown, field: string, causes: Cause[]): void {
  const containers = isObj(spec) ? spec.containers : undefined;
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${field}.containers` });
    return;
  }
  containers.forEach((c, i) => {
    const cf = `${field}.containers[${i}]`;
    if (!isObj(c) || !c.name) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${cf}.name` });
    if (!isObj(c) || !c.image) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${cf}.image` });
  });
}

/** Semantic validation (422 Invalid) for the kinds a deploy uses. */
export function validateObject(group: string, kind: string, obj: Obj, namespaced: boolean): void {
  const causes: Cause[] = [];
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (!name) causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
  else if (!dns1123Subdomain.test(name) || name.length > 253) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      field: 'metadata.name',
    });
  }
  if (!namespaced && meta.namespace) meta.namespace = undefined;
  const spec = isObj(obj.spec) ? obj.spec : undefined;
  const workload = ['apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet'].includes(`${group}/${kind}`);
  if (workload) {
    const template = isObj(spec?.template) ? spec.template : {};
    const labels = isObj(template.metadata) && isObj(template.metadata.labels) ? template.metadata.labels : {};
    if (!isObj(spec?.selector)) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
    if (!selectorMatches(spec?.selector, labels)) {
      const sorted = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(sorted)}: \`selector\` does not match template \`labels\``,
        field: 'spec.template.metadata.labels',
      });
    }
    validatePodSpec(template.spec, 'spec.template.spec', causes);
  }
  if (group === 'batch' && kind === 'Job') validatePodSpec(isObj(spec?.template) ? spec.template.spec : undefined, 'spec.template.spec', causes);
  if (group === '' && kind === 'Pod') validatePodSpec(spec, 'spec', causes);
  if (causes.length) throw invalid(kind, group, name, causes);
}
