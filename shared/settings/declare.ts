/**
 * A plugin declares each setting once; parsing, the typed values, the README table and the error
 * messages are all derived from that declaration.
 */
export type Kind = 'string' | 'bool' | 'int' | 'duration' | 'list' | 'map' | 'json';

export interface SettingOptions<T> {
  /** One line for the README table and error messages. */
  readonly doc: string;
  readonly default?: T;
  readonly required?: boolean;
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

type Maybe<T, O> = O extends { default: T } ? T : O extends { required: true } ? T : T | undefined;

function make<V>(kind: Kind, options: SettingOptions<unknown>): Setting<V> {
  return { kind, options };
}

/** Durations are parsed to milliseconds. Lists and maps are never undefined: unset is empty. */
export const setting = {
  string: <const O extends SettingOptions<string>>(o: O) =>
    make<O extends { choices: readonly (infer C)[] } ? Maybe<C & string, O> : Maybe<string, O>>('string', o),
  bool: (o: SettingOptions<boolean>) => make<boolean>('bool', o),
  int: <const O extends SettingOptions<number>>(o: O) => make<Maybe<number, O>>('int', o),
  duration: <const O extends SettingOptions<number>>(o: O) => make<Maybe<number, O>>('duration', o),
  list: (o: SettingOptions<readonly string[]>) => make<readonly string[]>('list', o),
  map: (o: SettingOptions<Readonly<Record<string, string>>>) => make<Readonly<Record<string, string>>>('map', o),
  json: <const O extends SettingOptions<unknown>>(o: O) => make<Maybe<unknown, O>>('json', o),
};

/** Settings every plugin understands. */
export const commonSettings = {
  debug: setting.bool({ doc: 'Print debug lines and stack traces.' }),
  env_file: setting.string({
    doc: "The runner's status file, overlaid on the environment (Drone's Kubernetes runner writes it).",
    default: '/run/drone/env',
  }),
} as const;
