/**
 * A plugin declares each setting once; parsing, the typed values, the README table and the error
 * messages are all derived from that declaration.
 */
export type Kind = 'string' | 'bool' | 'int' | 'duration' | 'list' | 'map' | 'json';

/**
 * The value names a path in the build's workspace; outside it is a settings error. `glob`: a glob
 * pattern; `or-text`: inline text unless it names an existing file or is a `file:` URL;
 * `or-url`: a URL with a scheme (`tar://`, `git://`, `s3://`) is not a path.
 */
export type PathKind = 'workspace' | 'workspace-glob' | 'workspace-or-text' | 'workspace-or-url';

interface SettingOptions<T> {
  /** One line for the README table and error messages. */
  readonly doc: string;
  readonly default?: T;
  /** Masked in every log line; its value is never echoed in an error. */
  readonly secret?: boolean;
  /**
   * The secrets inside a structured value (a kubeconfig's credentials, a JSON config's passwords),
   * registered as soon as the value is read; the raw value is too when `secret` is set.
   */
  secrets?(value: T): Iterable<string | undefined>;
  /** Other `settings:` names accepted for this one, e.g. the names of the plugin being replaced. */
  readonly aliases?: readonly string[];
  /** Plain environment variables also read, e.g. `SLACK_WEBHOOK`, after the PLUGIN_ names. */
  readonly env?: readonly string[];
  /** A right value, shown in errors and the README. */
  readonly example?: string;
  /** The accepted values of a string setting. */
  readonly choices?: readonly string[];
  readonly path?: PathKind;
  /** The command-line flag the value is passed on as (a wrapped tool's), shown in the README. */
  readonly flag?: string;
  /**
   * What is wrong with a parsed value, said so that `settings.<name>: ` can be put in front of it;
   * undefined when it is right. Runs before any I/O, with every other problem.
   */
  readonly validate?: (value: T) => string | undefined;
  /** A value the rules between settings treat as unset, e.g. a replaced plugin's default. */
  readonly noChoice?: T;
}

export interface Setting<V> {
  readonly kind: Kind;
  readonly options: SettingOptions<unknown>;
  /** Type-level only: the parsed value's type. */
  readonly __value?: V;
}

export type Declaration = Readonly<Record<string, Setting<unknown>>>;

export type Values<D extends Declaration> = {
  readonly [K in keyof D]: D[K] extends Setting<infer V> ? V : never;
};

/** A setting's name, or several of which any one will do. */
export type Need<N extends string> = N | readonly N[];

/** The rules between a plugin's settings, checked with the values before the plugin runs. */
export interface Rules<D extends Declaration> {
  /** A setting that needs others: each entry is a name, or a list of names of which one is enough. */
  readonly requires?: { readonly [K in keyof D & string]?: readonly Need<keyof D & string>[] };
  /** Groups set all together or not at all. */
  readonly together?: readonly (readonly (keyof D & string)[])[];
  /** Groups of which at least one must be set. */
  readonly oneOf?: readonly (readonly (keyof D & string)[])[];
  /** Groups of which at most one may be set. */
  readonly exclusive?: readonly (readonly (keyof D & string)[])[];
}

type Maybe<T, O> = O extends { default: T } ? T : T | undefined;

function make<V>(kind: Kind, options: SettingOptions<unknown>): Setting<V> {
  return { kind, options };
}

/** Durations are parsed to milliseconds. Lists and maps are never undefined: unset is empty. */
export const setting = {
  string: <const O extends SettingOptions<string>>(o: O) =>
    make<O extends { choices: readonly (infer C)[] } ? Maybe<C & string, O> : Maybe<string, O>>('string', o as SettingOptions<unknown>),
  bool: (o: SettingOptions<boolean>) => make<boolean>('bool', o as SettingOptions<unknown>),
  int: <const O extends SettingOptions<number>>(o: O) => make<Maybe<number, O>>('int', o as SettingOptions<unknown>),
  duration: <const O extends SettingOptions<number>>(o: O) => make<Maybe<number, O>>('duration', o as SettingOptions<unknown>),
  list: (o: SettingOptions<readonly string[]>) => make<readonly string[]>('list', o as SettingOptions<unknown>),
  map: (o: SettingOptions<Readonly<Record<string, string>>>) => make<Readonly<Record<string, string>>>('map', o as SettingOptions<unknown>),
  json: <const O extends SettingOptions<unknown>>(o: O) => make<Maybe<unknown, O>>('json', o),
};

/** Settings every plugin understands. */
export const commonSettings = {
  debug: setting.bool({ doc: 'Print debug lines and stack traces.' }),
  // A system file the runner writes, not a workspace path.
  env_file: setting.string({
    doc: "The runner's status file, overlaid on the environment (Drone's Kubernetes runner writes it).",
    default: '/run/drone/env',
  }),
} as const;
