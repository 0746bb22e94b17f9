import { PluginError } from '../errors.ts';
import { excerpt } from '../secrets.ts';
import type { Declaration, Kind, Setting, Values } from './declare.ts';
import { envNameOf, nearest, normalizeEnvName, settingNameOf } from './names.ts';
import { ValueError, parseValue } from './parse-value.ts';

export interface Rules<D extends Declaration> {
  /** Groups of settings of which at most one may be set. */
  readonly exclusive?: ReadonlyArray<ReadonlyArray<keyof D & string>>;
}

export interface ReadSettings<D extends Declaration> {
  readonly values: Values<D>;
  /** The settings the user set, by declared name. */
  readonly given: ReadonlySet<keyof D & string>;
  /** Where each given setting came from, as the user spelled it (`settings.kube_token`, `SLACK_WEBHOOK`). */
  readonly spelling: Readonly<Partial<Record<keyof D & string, string>>>;
  readonly warnings: readonly string[];
}

export class SettingsError extends PluginError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.length === 1 ? problems[0]! : `${problems.length} settings are wrong:\n  ${problems.join('\n  ')}`, {
      hint: 'Fix the step\'s "settings:" in .drone.yml.',
    });
    this.name = 'SettingsError';
    this.problems = problems;
  }
}

const EXAMPLES: Record<Kind, string> = {
  string: 'text',
  bool: 'true',
  int: '3',
  duration: '5m',
  list: '[a, b]',
  map: '{key: value}',
  json: '{"key": "value"}',
};

interface Source {
  readonly envName: string;
  readonly label: string;
  readonly raw: string;
}

/**
 * Reads a plugin's settings from the environment. Secret values go to `register` (the runner's
 * masker) before anything can be printed; every problem is collected so the user fixes them in one go.
 */
export function readSettings<D extends Declaration>(
  decl: D,
  env: NodeJS.ProcessEnv,
  rules: Rules<D> = {},
  register: (secret: string | undefined) => void = () => {},
): ReadSettings<D> {
  const plugin = pluginVariables(env);
  const known = new Set<string>();
  const values: Record<string, unknown> = {};
  const given = new Set<keyof D & string>();
  const spelling: Partial<Record<keyof D & string, string>> = {};
  const problems: string[] = [];
  // Every secret first: a problem with one setting may quote another's value.
  for (const [name, spec] of Object.entries(decl)) {
    if (spec.options.secret) register(findSource([name, ...(spec.options.aliases ?? [])], spec, plugin, env)?.raw);
  }

  for (const [name, spec] of Object.entries(decl) as Array<[keyof D & string, Setting<unknown>]>) {
    const candidates = [name, ...(spec.options.aliases ?? [])];
    for (const c of candidates) known.add(envNameOf(c));
    const source = findSource(candidates, spec, plugin, env);
    if (!source) {
      if (spec.options.required) problems.push(`settings.${name} is required. Example: ${name}: ${exampleOf(spec)}`);
      values[name] = defaultOf(spec);
      continue;
    }
    given.add(name);
    spelling[name] = source.label;
    try {
      const value = parseValue(spec.kind, source.raw);
      const choices = spec.options.choices;
      if (choices && !choices.includes(value as string)) throw new ValueError(`expected one of ${choices.join(', ')}`);
      values[name] = value;
      // A secret list or map is printed item by item (a build arg, a token): each item is a secret.
      // A JSON value's secrets are the plugin's to pick: it also holds names and hosts.
      if (spec.options.secret && (spec.kind === 'list' || spec.kind === 'map')) for (const item of Object.values(value as object)) register(item);
      for (const secret of spec.options.secrets?.(value) ?? []) register(secret);
    } catch (err) {
      if (!(err instanceof ValueError)) throw err;
      const what = spec.options.secret ? `${err.redacted} (the value is not shown: the setting is secret)` : `${err.message}, got ${JSON.stringify(excerpt(source.raw, 57))}`;
      problems.push(`${source.label}: ${what}. Example: ${name}: ${exampleOf(spec)}`);
    }
  }

  for (const group of rules.exclusive ?? []) {
    // A switch set to false is as good as unset: `auto_tag: false` next to `tags` is fine.
    const set = group.filter((n) => given.has(n) && values[n] !== false);
    if (set.length > 1) problems.push(`${set.map((n) => spelling[n]).join(' and ')} exclude each other: set only one of them.`);
  }
  if (problems.length > 0) throw new SettingsError(problems);

  const warnings = [...plugin.keys()]
    .filter((n) => !known.has(n))
    .map((n) => {
      const guess = nearest(settingNameOf(n), [...known].map(settingNameOf));
      return `unknown setting settings.${settingNameOf(n)} is ignored` + (guess ? `; did you mean settings.${guess}?` : '.');
    });
  return { values: values as Values<D>, given, spelling, warnings };
}

/** PLUGIN_* variables by normalized name; Drone drops empty values, so empty means unset here too. */
function pluginVariables(env: NodeJS.ProcessEnv): Map<string, { envName: string; raw: string }> {
  const out = new Map<string, { envName: string; raw: string }>();
  for (const [envName, raw] of Object.entries(env)) {
    if (!envName.startsWith('PLUGIN_') || raw === undefined || raw === '') continue;
    const key = normalizeEnvName(envName);
    // The exact Drone spelling wins over a Woodpecker-normalized twin.
    if (!out.has(key) || envName === key) out.set(key, { envName, raw });
  }
  return out;
}

function findSource(candidates: string[], spec: Setting<unknown>, plugin: ReturnType<typeof pluginVariables>, env: NodeJS.ProcessEnv): Source | undefined {
  for (const c of candidates) {
    const hit = plugin.get(envNameOf(c));
    if (hit) return { envName: hit.envName, label: `settings.${c}`, raw: hit.raw };
  }
  for (const envName of spec.options.env ?? []) {
    const raw = env[envName];
    if (raw) return { envName, label: envName, raw };
  }
  return undefined;
}

function defaultOf(spec: Setting<unknown>): unknown {
  if (spec.options.default !== undefined) return spec.options.default;
  if (spec.kind === 'bool') return false;
  if (spec.kind === 'list') return [];
  if (spec.kind === 'map') return {};
  return undefined;
}

export function exampleOf(spec: Setting<unknown>): string {
  return spec.options.example ?? (spec.options.choices ? spec.options.choices[0]! : EXAMPLES[spec.kind]);
}
