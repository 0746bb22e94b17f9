import { PluginError } from '../errors.ts';
import { excerpt } from '../secrets.ts';
import type { Declaration, Kind, Rules, Setting, Values } from './declare.ts';
import { envNameOf, isMisspelling, nearest, normalizeEnvName, settingNameOf } from './names.ts';
import { ValueError, parseValue } from './parse-value.ts';
import { ruleProblems } from './rules.ts';
import { workspacePathProblem } from './workspace-path.ts';

interface ReadOptions<D extends Declaration> {
  readonly rules?: Rules<D>;
  /** Where path settings must stay; without it they are not checked (the demo, unit tests). */
  readonly workspace?: string;
  /**
   * The setting names (and aliases) of the other Sortie plugins: one of them in this step, say from
   * a YAML anchor shared by several steps, is not a misspelling of a setting of this plugin.
   */
  readonly otherPlugins?: readonly string[];
  /** Leave names not in `decl` alone: it is a part of the settings, read early. */
  readonly partial?: boolean;
  /**
   * Why the step has nothing to do in this build, from values that parsed: then the rules between
   * settings are not checked, as a pull request from a fork gets no secrets and so half a login.
   */
  readonly skip?: (values: Values<D>) => string | undefined;
  /** Where secret values go as soon as they are found: the runner's masker. */
  readonly register?: (secret: string | undefined) => void;
}

interface ReadSettings<D extends Declaration> {
  readonly values: Values<D>;
  readonly warnings: readonly string[];
  /** Set when `skip` said the step has nothing to do. */
  readonly skip?: string | undefined;
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
 * masker) before anything can be printed; every problem (values, paths, the rules between settings,
 * misspelled names) is collected so the user fixes them in one go, before the plugin does anything.
 */
export function readSettings<D extends Declaration>(decl: D, env: NodeJS.ProcessEnv, opts: ReadOptions<D> = {}): ReadSettings<D> {
  const register = opts.register ?? (() => {});
  const plugin = pluginVariables(env);
  const known = new Set<string>();
  const values: Record<string, unknown> = {};
  const sources = new Map<string, Source>();
  const unreadable = new Set<string>();
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
      values[name] = defaultOf(spec);
      continue;
    }
    sources.set(name, source);
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
      unreadable.add(name);
      continue;
    }
    const problem = checkValue(spec, values[name], opts.workspace);
    if (problem) problems.push(`${source.label}: ${problem}`);
  }

  const skip = problems.length === 0 ? opts.skip?.(values as Values<D>) : undefined;
  if (!skip) {
    problems.push(
      ...ruleProblems(opts.rules ?? {}, {
        isSet: (n) => unreadable.has(n) || (sources.has(n) && !isNoChoice(decl[n]!, values[n])),
        label: (n) => sources.get(n)?.label ?? `settings.${n}`,
        example: (n) => `${n}: ${exampleOf(decl[n]!)}`,
      }),
    );
  }

  const warnings: string[] = [];
  const declared = [...known].map(settingNameOf);
  const elsewhere = new Set((opts.otherPlugins ?? []).map(envNameOf));
  for (const envName of plugin.keys()) {
    if (known.has(envName) || opts.partial) continue;
    const name = settingNameOf(envName);
    const guess = nearest(name, declared);
    if (guess && isMisspelling(name, guess) && !elsewhere.has(envName)) problems.push(`settings.${name} is not a setting: did you mean settings.${guess}?`);
    else warnings.push(`unknown setting settings.${name} is ignored` + (guess ? `; did you mean settings.${guess}?` : '.'));
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return { values: values as Values<D>, warnings, skip };
}

/** A given value's own problem beyond its type: a path out of the workspace, the declaration's check. */
function checkValue(spec: Setting<unknown>, value: unknown, workspace: string | undefined): string | undefined {
  if (spec.options.path && workspace !== undefined) {
    const paths = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as string[]) : [];
    for (const p of paths) {
      const problem = workspacePathProblem(spec.options.path, p, workspace);
      if (problem) return problem;
    }
  }
  return spec.options.validate?.(value);
}

/** A switch that is off, an empty list, or a declared non-choice such as a replaced plugin's default, is as good as unset. */
function isNoChoice(spec: Setting<unknown>, value: unknown): boolean {
  if (value === false || value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0)) return true;
  const none = spec.options.noChoice;
  return none !== undefined && JSON.stringify(none) === JSON.stringify(value);
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

function exampleOf(spec: Setting<unknown>): string {
  return spec.options.example ?? (spec.options.choices ? spec.options.choices[0]! : EXAMPLES[spec.kind]);
}
