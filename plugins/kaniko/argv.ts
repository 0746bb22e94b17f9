import { excerpt } from '../../shared/secrets.ts';
import { type Setting, SettingsError, setting } from '../../shared/settings/index.ts';

/**
 * The one settings -> executor flag table. Each entry is a setting declaration that also names the
 * flag it stands for, so the README row, the parsed value and the emitted flag come from one place.
 * Every flag here exists in osscontainertools/kaniko's `executor --help` with the value form used.
 */
export interface FlagSetting<V> extends Setting<V> {
  readonly flag: string;
  /** The flag's values for a set value, one `--flag=value` each; `''` is a bare switch. */
  render?(value: NonNullable<V>): readonly string[];
}

function flag<V>(name: string, spec: Setting<V>, more: Pick<FlagSetting<V>, 'render'> = {}): FlagSetting<V> {
  const repeated = spec.kind === 'list' || spec.kind === 'map' ? ', once per item' : '';
  return { ...spec, options: { ...spec.options, doc: `${spec.options.doc} Executor flag: \`${name}\`${repeated}.` }, flag: name, ...more };
}

export const flagSettings = {
  dockerfile: flag('--dockerfile', setting.string({ doc: 'The Dockerfile, relative to the workspace or to the context.', default: 'Dockerfile' })),
  context: flag(
    '--context',
    setting.string({ doc: 'The build context: a directory of the workspace, or a kaniko context URL (`tar://`, `git://`, `s3://` ...).', default: '.' }),
    { render: (v) => [localContext(v) === undefined ? v : `dir://${localContext(v)}`] },
  ),
  context_sub_path: flag('--context-sub-path', setting.string({ doc: 'A sub-directory of the context to build from.' })),
  target: flag('--target', setting.string({ doc: 'The Dockerfile stage to build.' })),
  build_args: flag(
    '--build-arg',
    setting.map({
      doc: 'Build arguments, as a list of `NAME=value`, a map, or a JSON array when values hold commas. Shown in the log, as they are in the image history: pass secrets with `build_args_from_env` or `secrets`.',
      example: '{NODE_ENV: production}',
    }),
    { render: (args) => Object.entries(args).map(([name, value]) => `${argName('build_args', name)}=${value}`) },
  ),
  build_args_from_env: flag(
    '--build-arg',
    setting.list({ doc: 'Names of environment variables passed as build arguments; the executor reads their values, which are masked in the log.' }),
    { render: (names) => names.map((n) => argName('build_args_from_env', n)) },
  ),
  custom_labels: flag('--label', setting.map({ doc: 'Image labels, `key=value`.', aliases: ['labels'], example: '[org.opencontainers.image.vendor=acme]' }), {
    render: (labels) => Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  }),
  registry_mirrors: flag('--registry-mirror', setting.list({ doc: 'Pull-through mirrors of Docker Hub.', aliases: ['mirror', 'mirrors'], example: '[mirror.gcr.io]' }), {
    render: hosts('registry_mirrors'),
  }),
  enable_cache: flag('--cache', setting.bool({ doc: 'Cache layers in `cache_repo`.', aliases: ['cache'] })),
  cache_repo: flag('--cache-repo', setting.string({ doc: 'The repository that holds cached layers (default: `<repo>/cache`); like `repo`, put in `registry` when it names none.' })),
  cache_ttl: flag('--cache-ttl', setting.string({ doc: 'How long cached layers are used, a duration; a bare number is hours, as plugins/kaniko reads it.', example: '6h' }), {
    render: (v) => [cacheTtl(v)],
  }),
  cache_dir: flag('--cache-dir', setting.string({ doc: 'A local directory of cached base images.' })),
  cache_copy_layers: flag('--cache-copy-layers', setting.bool({ doc: 'Cache COPY layers too.' })),
  cache_run_layers: flag('--cache-run-layers', setting.bool({ doc: 'Cache RUN layers.', default: true })),
  compressed_caching: flag('--compressed-caching', setting.bool({ doc: 'Compress cached layers; turn off when builds run out of memory.', default: true })),
  snapshot_mode: flag('--snapshot-mode', setting.string({ doc: 'What a snapshot compares.', choices: ['full', 'redo', 'time'] })),
  single_snapshot: flag('--single-snapshot', setting.bool({ doc: 'Take one snapshot at the end of the build.' })),
  use_new_run: flag('--use-new-run', setting.bool({ doc: 'Detect RUN changes without full snapshots (experimental).' })),
  reproducible: flag('--reproducible', setting.bool({ doc: 'Strip timestamps from the image.' })),
  skip_unused_stages: flag('--skip-unused-stages', setting.bool({ doc: 'Build only the stages the target needs (the executor now does this by default).' })),
  skip_tls_verify: flag('--skip-tls-verify', setting.bool({ doc: 'Push without verifying TLS certificates.' })),
  skip_tls_verify_pull: flag('--skip-tls-verify-pull', setting.bool({ doc: 'Pull without verifying TLS certificates.' })),
  skip_tls_verify_registry: flag('--skip-tls-verify-registry', setting.list({ doc: 'Registries used without verifying TLS certificates.', example: '[registry.local:5000]' }), {
    render: hosts('skip_tls_verify_registry'),
  }),
  insecure: flag('--insecure', setting.bool({ doc: 'Push over plain HTTP.' })),
  insecure_pull: flag('--insecure-pull', setting.bool({ doc: 'Pull over plain HTTP.' })),
  insecure_registry: flag('--insecure-registry', setting.list({ doc: 'Registries used over plain HTTP.', example: '[registry.local:5000]' }), {
    render: hosts('insecure_registry'),
  }),
  registry_certificate: flag('--registry-certificate', setting.list({ doc: 'CA certificates of registries, `registry=/path/to/ca.crt`.' }), {
    render: registryPaths('registry_certificate'),
  }),
  registry_client_cert: flag(
    '--registry-client-cert',
    setting.list({ doc: 'Client certificates for mutual TLS, `registry=/path/cert,/path/key` (a JSON array, as the value holds a comma).' }),
    { render: registryPaths('registry_client_cert') },
  ),
  skip_push_permission_check: flag('--skip-push-permission-check', setting.bool({ doc: 'Do not check push access before building.' })),
  skip_default_registry_fallback: flag('--skip-default-registry-fallback', setting.bool({ doc: 'Never fall back from the mirrors to Docker Hub.' })),
  platform: flag('--custom-platform', setting.string({ doc: 'The platform to build for (no emulation).', aliases: ['custom_platform'], example: 'linux/arm64' })),
  no_push: flag('--no-push', setting.bool({ doc: 'Build without pushing.', aliases: ['dry_run'] })),
  tar_path: flag('--tar-path', setting.string({ doc: 'Save the image as a tarball.', aliases: ['destination_tar_path'] })),
  oci_layout_path: flag('--oci-layout-path', setting.string({ doc: 'Save the image as an OCI layout.' })),
  push_retry: flag('--push-retry', setting.int({ doc: 'Retries of a failed push.' })),
  image_download_retry: flag('--image-download-retry', setting.int({ doc: 'Retries of a failed base image download.' })),
  image_fs_extract_retry: flag('--image-fs-extract-retry', setting.int({ doc: 'Retries of a failed base image extraction.' })),
  ignore_paths: flag('--ignore-path', setting.list({ doc: 'Paths left out of snapshots.', aliases: ['ignore_path'] })),
  ignore_var_run: flag('--ignore-var-run', setting.bool({ doc: 'Leave /var/run out of snapshots.', default: true })),
  cleanup: flag('--cleanup', setting.bool({ doc: 'Clean the filesystem at the end of the build.' })),
  force: flag('--force', setting.bool({ doc: 'Build even outside a container.' })),
  verbosity: flag('--verbosity', setting.string({ doc: "The executor's log level.", choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic'] })),
  log_format: flag('--log-format', setting.string({ doc: "The executor's log format.", choices: ['text', 'color', 'json'] })),
  log_timestamp: flag('--log-timestamp', setting.bool({ doc: 'Timestamp the executor log lines.' })),
  secrets: flag(
    '--secret',
    setting.list({
      doc: 'Build secrets for `RUN --mount=type=secret`: `id=X,env=VAR`, `id=X,src=/file`, or `NAME` for `id=NAME,env=NAME`.',
      example: '[NPM_TOKEN]',
    }),
    { render: secretSpecs },
  ),
  digest_file: flag('--digest-file', setting.string({ doc: 'Where the executor writes the image digest, which the plugin reports.', default: '/kaniko/digest-file' })),
  image_name_with_digest_file: flag('--image-name-with-digest-file', setting.string({ doc: 'A file to write `repo@digest` lines to.' })),
  image_name_tag_with_digest_file: flag('--image-name-tag-with-digest-file', setting.string({ doc: 'A file to write `repo:tag@digest` lines to.' })),
} as const;

export type FlagValues = { readonly [K in keyof typeof flagSettings]: (typeof flagSettings)[K] extends Setting<infer V> ? V : never };

/** The executor flags for the settings' values, in table order. */
export function flagArgs(values: FlagValues): string[] {
  const args: string[] = [];
  for (const [name, spec] of Object.entries(flagSettings) as Array<[keyof FlagValues, FlagSetting<unknown>]>) {
    for (const value of flagValues(spec, values[name])) args.push(value === '' ? spec.flag : `${spec.flag}=${value}`);
  }
  return args;
}

function flagValues(spec: FlagSetting<unknown>, value: unknown): readonly string[] {
  if (value === undefined || value === null) return [];
  if (spec.render) return spec.render(value);
  if (spec.kind === 'bool') {
    // A switch that is on by default is only ever turned off.
    if (value === (spec.options.default ?? false)) return [];
    return value ? [''] : ['false'];
  }
  if (spec.kind === 'list') return value as readonly string[];
  return [String(value)];
}

/** The directory of a context in the workspace; undefined for a remote one (`git://`, `s3://` ...). */
export function localContext(context: string): string | undefined {
  if (context.startsWith('dir://')) return context.slice('dir://'.length);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(context) ? undefined : context;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function argName(settingName: string, name: string): string {
  if (!ENV_NAME.test(name)) throw new SettingsError([`settings.${settingName}: "${excerpt(name, 40)}" is not a build argument name (letters, digits and _).`]);
  return name;
}

/** Registry names without the scheme the executor does not take. */
function hosts(settingName: string): (values: readonly string[]) => string[] {
  return (values) =>
    values.map((v) => {
      if (/^(true|false)$/i.test(v)) throw new SettingsError([`settings.${settingName} takes registry names such as registry.local:5000, not ${v}.`]);
      return v.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
    });
}

function registryPaths(settingName: string): (values: readonly string[]) => readonly string[] {
  return (values) => {
    const bad = values.find((v) => !/^[^=]+=./.test(v));
    if (bad !== undefined) throw new SettingsError([`settings.${settingName}: expected registry=/path, got ${JSON.stringify(excerpt(bad, 60))}.`]);
    return values;
  };
}

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

function cacheTtl(v: string): string {
  if (/^\d+$/.test(v)) return `${v}h`;
  if (GO_DURATION.test(v)) return v;
  throw new SettingsError([`settings.cache_ttl: expected a duration such as 6h or 90m, got ${JSON.stringify(excerpt(v, 40))}.`]);
}

/**
 * Drone joins a YAML list with commas, which splits `id=x,env=Y` in two: an item that does not
 * start a secret (`src=`, `env=`, `type=`) belongs to the one before it.
 */
export function secretSpecs(items: readonly string[]): string[] {
  const specs: string[][] = [];
  for (const item of items) {
    if (ENV_NAME.test(item)) specs.push([`id=${item}`, `env=${item}`]);
    else if (item.startsWith('id=')) specs.push([item]);
    else if (/^(src|env|type)=/.test(item) && specs.length > 0) specs.at(-1)!.push(item);
    else throw new SettingsError([`settings.secrets: expected id=NAME,env=VAR, id=NAME,src=/file or a variable name; an item is neither.`]);
  }
  return specs.map((s) => s.join(','));
}

/** The environment variables whose values the `--secret` specs hand to the build. */
export function secretEnvNames(specs: readonly string[]): string[] {
  return specs.flatMap((spec) => spec.split(',').filter((f) => f.startsWith('env=')).map((f) => f.slice(4)));
}
