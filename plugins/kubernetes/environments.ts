/**
 * Deploy targets: the `environments` setting maps each target name to the settings it overrides,
 * and the build (a promotion's target) or the `environment` setting picks one. Pure but for
 * `withEnvironment`'s path checks, which look at the workspace as the settings' own do: a symlink
 * out of it can only be seen there.
 */
import { PluginError } from '../../shared/errors.ts';
import { workspacePathProblem } from '../../shared/settings/index.ts';

/** What an environment may override, with the shape each takes in `.drone.yml`. */
const KEYS = {
  namespace: 'string',
  context: 'string',
  kustomize: 'path',
  vars: 'map',
  manifests: 'paths',
} as const;

type Key = keyof typeof KEYS;

export interface Environment {
  readonly namespace?: string;
  readonly context?: string;
  readonly kustomize?: string;
  readonly vars?: Readonly<Record<string, string>>;
  readonly manifests?: readonly string[];
}

export type Environments = Readonly<Record<string, Environment>>;

/** A DNS-1123 label would do for a name, but teams name targets `prod_eu` too: anything a YAML key and a log line can hold. */
const TARGET_NAME = /^[\w.-]{1,63}$/;

/**
 * Every problem with the setting's value, each naming `environments.<target>.<key>`, so that
 * `settings.environments: ` can be put in front; undefined when it is right.
 */
export function environmentsProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'expected a map of targets, each a map of namespace, context, kustomize, vars and manifests';
  const problems: string[] = [];
  for (const [target, entry] of Object.entries(value)) {
    if (!TARGET_NAME.test(target)) problems.push(`environments.${JSON.stringify(target)} is not a target name: letters, digits, '.', '_' and '-', at most 63`);
    if (!isObject(entry)) {
      problems.push(`environments.${target} must be a map of ${listed(Object.keys(KEYS))}`);
      continue;
    }
    for (const [key, v] of Object.entries(entry)) {
      const at = `environments.${target}.${key}`;
      if (!(key in KEYS)) problems.push(`${at} is not a key of an environment: use ${listed(Object.keys(KEYS))}`);
      else {
        const problem = shapeProblem(KEYS[key as Key], v);
        if (problem) problems.push(`${at}: ${problem}`);
      }
    }
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

function shapeProblem(shape: (typeof KEYS)[Key], v: unknown): string | undefined {
  switch (shape) {
    case 'string':
    case 'path':
      return typeof v === 'string' && v !== '' ? undefined : 'expected text';
    case 'paths':
      return (typeof v === 'string' && v !== '') || (Array.isArray(v) && v.length > 0 && v.every((p) => typeof p === 'string' && p !== ''))
        ? undefined
        : 'expected a path or a list of paths';
    case 'map':
      return isObject(v) && Object.values(v).every(isScalar) ? undefined : 'expected a map of names to text, numbers or true/false';
  }
}

/** The environments as the plan uses them; the value has passed environmentsProblem. */
export function environmentsOf(value: unknown): Environments {
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([target, entry]) => {
      const e = entry as Record<string, unknown>;
      const out: Record<string, unknown> = { ...e };
      if (e.vars) out.vars = Object.fromEntries(Object.entries(e.vars as object).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
      if (typeof e.manifests === 'string') out.manifests = [e.manifests];
      return [target, out as Environment];
    }),
  );
}

export interface Chosen {
  readonly name: string;
  readonly environment: Environment;
  /** What picked it: `DRONE_DEPLOY_TO`, `CI_PIPELINE_DEPLOY_TARGET` or `settings.environment`. */
  readonly by: string;
}

interface TargetInput {
  readonly environments: Environments;
  /** The build's deploy target (a promotion or rollback); empty when none. */
  readonly deployTo: string;
  /** The variable the deploy target came from, for messages. */
  readonly deployToVariable: string;
  /** The `environment` setting: the target when the build names none. */
  readonly environment: string | undefined;
}

/**
 * The build's deploy target wins over the `environment` setting, so one step deploys to `staging` on
 * a push and to whatever `drone build promote` names. Without `environments` there is nothing to pick.
 */
export function chooseEnvironment(input: TargetInput): Chosen | undefined {
  const known = Object.keys(input.environments);
  if (known.length === 0) return undefined;
  const [name, by] = input.deployTo ? [input.deployTo, input.deployToVariable] : [input.environment, 'settings.environment'];
  if (!name) {
    throw new PluginError(`no deploy target: this build is no promotion and settings.environment is not set (targets: ${known.join(', ')})`, {
      hint: `Set settings.environment to the target of ordinary builds, e.g. environment: ${known[0]}, or promote a build: drone build promote <repo> <build> ${known[0]}`,
    });
  }
  const environment = input.environments[name];
  if (!environment) {
    throw new PluginError(`${by} is "${name}", which is not a target of settings.environments: the targets are ${known.join(', ')}`, {
      hint: `Promote to one of ${known.join(', ')}, or add "${name}" to settings.environments.`,
    });
  }
  return { name, environment, by };
}

/** What a step deploys, all of which an environment naming its own `manifests` or `kustomize` replaces. */
interface Deploys {
  readonly vars: Readonly<Record<string, string>>;
  readonly manifests: readonly string[];
  readonly kustomize?: string | undefined;
  readonly template?: string | undefined;
  readonly deployment?: readonly string[];
}

/**
 * The step's settings with the environment's laid over them: each key replaces the setting of the
 * same name, except `vars`, which adds to the step's own. An environment's `manifests` or
 * `kustomize` says all it deploys: the step's `manifests`, `kustomize` and `template` are defaults
 * for the environments that name neither, since an overlay of the step's base applied beside that
 * base would define each object twice. Paths are checked as the settings' are.
 */
export function withEnvironment<S extends Deploys>(settings: S, chosen: Chosen, workspace: string): S {
  const e = chosen.environment;
  const problems: string[] = [];
  for (const [key, value] of Object.entries(e)) {
    const shape = KEYS[key as Key];
    if (shape !== 'path' && shape !== 'paths') continue;
    const problem = [value as string | readonly string[]].flat().map((p) => workspacePathProblem(shape === 'path' ? 'workspace' : 'workspace-glob', p, workspace)).find(Boolean);
    if (problem) problems.push(`settings.environments.${chosen.name}.${key}: ${problem}`);
  }
  const names = e.manifests !== undefined || e.kustomize !== undefined;
  if (names && settings.deployment?.length) {
    problems.push(`settings.environments.${chosen.name}.${e.manifests ? 'manifests' : 'kustomize'} and settings.deployment exclude each other: the step updates images, it applies no manifests`);
  }
  if (problems.length > 0) throw new PluginError(problems.join('\n'), { hint: 'Fix the step\'s "settings:" in .drone.yml.' });
  const deploys = names ? { manifests: [], kustomize: undefined, template: undefined } : {};
  return { ...settings, ...deploys, ...e, vars: { ...settings.vars, ...e.vars } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function listed(items: readonly string[]): string {
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
