import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { flagArgs } from '../../../plugins/kaniko/argv.ts';
import { secretEnvNames, secretSpecs } from '../../../plugins/kaniko/flag-values.ts';
import { settings } from '../../../plugins/kaniko/settings.ts';
import { SettingsError, readSettings } from '../../../shared/settings/index.ts';

const DEFAULTS = ['--dockerfile=Dockerfile', '--context=dir://.', '--digest-file=/kaniko/digest-file'];
const flagSettings = Object.entries(settings).filter(([, spec]) => spec.options.flag !== undefined);

/** The flags the settings give beyond the three every build has. */
function flagsFor(env: Record<string, string>): string[] {
  return flagArgs(readSettings(settings, env).values).filter((a) => !DEFAULTS.includes(a));
}

test('each setting gives its executor flag', () => {
  const rows: Array<[Record<string, string>, string[]]> = [
    [{}, []],
    [{ PLUGIN_DOCKERFILE: 'docker/Dockerfile.prod' }, ['--dockerfile=docker/Dockerfile.prod']],
    [{ PLUGIN_CONTEXT: 'app' }, ['--context=dir://app']],
    [{ PLUGIN_CONTEXT: 'git://github.com/acme/app.git#refs/heads/main' }, ['--context=git://github.com/acme/app.git#refs/heads/main']],
    [{ PLUGIN_CONTEXT: 'dir:///src' }, ['--context=dir:///src']],
    [{ PLUGIN_CONTEXT_SUB_PATH: 'web' }, ['--context-sub-path=web']],
    [{ PLUGIN_TARGET: 'runtime' }, ['--target=runtime']],
    [{ PLUGIN_BUILD_ARGS: 'A=1,B=two words' }, ['--build-arg=A=1', '--build-arg=B=two words']],
    [{ PLUGIN_BUILD_ARGS: '{"A":"x,y","B":2}' }, ['--build-arg=A=x,y', '--build-arg=B=2']],
    [{ PLUGIN_BUILD_ARGS: '["A=x,y","B=c=d"]' }, ['--build-arg=A=x,y', '--build-arg=B=c=d']],
    [{ PLUGIN_BUILD_ARGS_FROM_ENV: 'NPM_TOKEN,GH_TOKEN' }, ['--build-arg=NPM_TOKEN', '--build-arg=GH_TOKEN']],
    [{ PLUGIN_CUSTOM_LABELS: 'a=1,b=2' }, ['--label=a=1', '--label=b=2']],
    [{ PLUGIN_LABELS: '{"org.opencontainers.image.vendor":"acme"}' }, ['--label=org.opencontainers.image.vendor=acme']],
    [{ PLUGIN_REGISTRY_MIRRORS: 'https://mirror.gcr.io/,mirror.local:5000' }, ['--registry-mirror=mirror.gcr.io', '--registry-mirror=mirror.local:5000']],
    [{ PLUGIN_MIRROR: 'mirror.gcr.io' }, ['--registry-mirror=mirror.gcr.io']],
    [{ PLUGIN_ENABLE_CACHE: 'true' }, ['--cache']],
    [{ PLUGIN_CACHE: 'true' }, ['--cache']],
    [{ PLUGIN_CACHE_REPO: 'ghcr.io/acme/cache' }, ['--cache-repo=ghcr.io/acme/cache']],
    [{ PLUGIN_CACHE_TTL: '6h' }, ['--cache-ttl=6h']],
    [{ PLUGIN_CACHE_TTL: '1h30m' }, ['--cache-ttl=1h30m']],
    [{ PLUGIN_CACHE_TTL: '12' }, ['--cache-ttl=12h']],
    [{ PLUGIN_CACHE_DIR: '/cache' }, ['--cache-dir=/cache']],
    [{ PLUGIN_CACHE_COPY_LAYERS: 'true' }, ['--cache-copy-layers']],
    [{ PLUGIN_CACHE_RUN_LAYERS: 'false' }, ['--cache-run-layers=false']],
    [{ PLUGIN_CACHE_RUN_LAYERS: 'true' }, []],
    [{ PLUGIN_COMPRESSED_CACHING: 'false' }, ['--compressed-caching=false']],
    [{ PLUGIN_SNAPSHOT_MODE: 'redo' }, ['--snapshot-mode=redo']],
    [{ PLUGIN_SINGLE_SNAPSHOT: 'true' }, ['--single-snapshot']],
    [{ PLUGIN_USE_NEW_RUN: 'true' }, ['--use-new-run']],
    [{ PLUGIN_REPRODUCIBLE: 'true' }, ['--reproducible']],
    [{ PLUGIN_SKIP_UNUSED_STAGES: 'true' }, ['--skip-unused-stages']],
    [{ PLUGIN_SKIP_TLS_VERIFY: 'true' }, ['--skip-tls-verify']],
    [{ PLUGIN_SKIP_TLS_VERIFY_PULL: 'true' }, ['--skip-tls-verify-pull']],
    [{ PLUGIN_SKIP_TLS_VERIFY_REGISTRY: 'a.local:5000,https://b.local' }, ['--skip-tls-verify-registry=a.local:5000', '--skip-tls-verify-registry=b.local']],
    [{ PLUGIN_INSECURE: 'true' }, ['--insecure']],
    [{ PLUGIN_INSECURE_PULL: 'true' }, ['--insecure-pull']],
    [{ PLUGIN_INSECURE_REGISTRY: 'registry.local:5000' }, ['--insecure-registry=registry.local:5000']],
    [{ PLUGIN_REGISTRY_CERTIFICATE: 'r.local=/certs/ca.crt' }, ['--registry-certificate=r.local=/certs/ca.crt']],
    [{ PLUGIN_REGISTRY_CLIENT_CERT: '["r.local=/c/cert.pem,/c/key.pem"]' }, ['--registry-client-cert=r.local=/c/cert.pem,/c/key.pem']],
    // Drone's encoding of [r.local=/c/cert.pem,/c/key.pem, "s.local:5000=/d/cert.pem,/d/key.pem"].
    [
      { PLUGIN_REGISTRY_CLIENT_CERT: 'r.local=/c/cert.pem,/c/key.pem,s.local:5000=/d/cert.pem,/d/key.pem' },
      ['--registry-client-cert=r.local=/c/cert.pem,/c/key.pem', '--registry-client-cert=s.local:5000=/d/cert.pem,/d/key.pem'],
    ],
    [{ PLUGIN_SKIP_PUSH_PERMISSION_CHECK: 'true' }, ['--skip-push-permission-check']],
    [{ PLUGIN_SKIP_DEFAULT_REGISTRY_FALLBACK: 'true' }, ['--skip-default-registry-fallback']],
    [{ PLUGIN_PLATFORM: 'linux/arm64' }, ['--custom-platform=linux/arm64']],
    [{ PLUGIN_CUSTOM_PLATFORM: 'linux/arm64' }, ['--custom-platform=linux/arm64']],
    [{ PLUGIN_NO_PUSH: 'true' }, ['--no-push']],
    [{ PLUGIN_DRY_RUN: 'true' }, ['--no-push']],
    [{ PLUGIN_TAR_PATH: 'out/image.tar' }, ['--tar-path=out/image.tar']],
    [{ PLUGIN_OCI_LAYOUT_PATH: 'out/oci' }, ['--oci-layout-path=out/oci']],
    [{ PLUGIN_PUSH_RETRY: '3' }, ['--push-retry=3']],
    [{ PLUGIN_IMAGE_DOWNLOAD_RETRY: '2' }, ['--image-download-retry=2']],
    [{ PLUGIN_IMAGE_FS_EXTRACT_RETRY: '2' }, ['--image-fs-extract-retry=2']],
    [{ PLUGIN_IGNORE_PATHS: '/var/cache,/tmp' }, ['--ignore-path=/var/cache', '--ignore-path=/tmp']],
    [{ PLUGIN_IGNORE_VAR_RUN: 'false' }, ['--ignore-var-run=false']],
    [{ PLUGIN_CLEANUP: 'true' }, ['--cleanup']],
    [{ PLUGIN_FORCE: 'true' }, ['--force']],
    [{ PLUGIN_VERBOSITY: 'debug' }, ['--verbosity=debug']],
    [{ PLUGIN_LOG_FORMAT: 'text' }, ['--log-format=text']],
    [{ PLUGIN_LOG_TIMESTAMP: 'true' }, ['--log-timestamp']],
    [{ PLUGIN_SECRETS: 'NPM_TOKEN' }, ['--secret=id=NPM_TOKEN,env=NPM_TOKEN']],
    [{ PLUGIN_SECRETS: 'id=npm,env=NPM_TOKEN,id=ssh,src=/keys/id,type=file' }, ['--secret=id=npm,env=NPM_TOKEN', '--secret=id=ssh,src=/keys/id,type=file']],
    [{ PLUGIN_DIGEST_FILE: '/tmp/digest' }, ['--digest-file=/tmp/digest']],
    [{ PLUGIN_IMAGE_NAME_WITH_DIGEST_FILE: 'out/names' }, ['--image-name-with-digest-file=out/names']],
    [{ PLUGIN_IMAGE_NAME_TAG_WITH_DIGEST_FILE: 'out/tags' }, ['--image-name-tag-with-digest-file=out/tags']],
  ];
  for (const [env, expected] of rows) assert.deepEqual(flagsFor(env), expected, JSON.stringify(env));
});

test('every flag setting is covered by a row above', () => {
  const source = readFileSync(import.meta.filename, 'utf8');
  for (const [name, spec] of flagSettings) {
    const spellings = [name, ...(spec.options.aliases ?? [])].map((n) => `PLUGIN_${n.toUpperCase()}:`);
    assert.ok(spellings.some((s) => source.includes(s)), `no row for settings.${name}`);
  }
});

test('build-arg values written in the settings are shown: they are in the repository and the image history', () => {
  const args = flagArgs(readSettings(settings, { PLUGIN_BUILD_ARGS: 'A=1,B=c=d', PLUGIN_BUILD_ARGS_FROM_ENV: 'TOKEN', PLUGIN_TARGET: 'x' }).values);
  assert.deepEqual(args, ['--dockerfile=Dockerfile', '--context=dir://.', '--target=x', '--build-arg=A=1', '--build-arg=B=c=d', '--build-arg=TOKEN', '--digest-file=/kaniko/digest-file']);
});

test('malformed values are settings errors that name the setting, before any flag is made', () => {
  const rows: Array<[Record<string, string>, RegExp]> = [
    [{ PLUGIN_BUILD_ARGS: '{"A B":"1"}' }, /settings.build_args: "A B" is not a build argument name/],
    [{ PLUGIN_BUILD_ARGS_FROM_ENV: 'NOT-A-NAME' }, /settings.build_args_from_env: "NOT-A-NAME"/],
    [{ PLUGIN_CACHE_TTL: 'two weeks' }, /settings.cache_ttl: expected a duration/],
    [{ PLUGIN_SKIP_TLS_VERIFY_REGISTRY: 'true' }, /settings.skip_tls_verify_registry: takes registry names/],
    [{ PLUGIN_SECRETS: 'src=/x' }, /settings.secrets: expected id=NAME/],
    [{ PLUGIN_REGISTRY_CERTIFICATE: '/certs/ca.crt' }, /settings.registry_certificate: expected key=value pairs/],
    [{ PLUGIN_REGISTRY_CERTIFICATE: '{"r.local": ""}' }, /settings.registry_certificate: expected registry=\/path, "r.local" has no path/],
  ];
  for (const [env, message] of rows) {
    assert.throws(() => flagsFor(env), (e: unknown) => e instanceof SettingsError && message.test(e.message), JSON.stringify(env));
  }
  assert.throws(() => flagsFor({ PLUGIN_BUILD_ARGS: '=x' }), (e: unknown) => e instanceof SettingsError && /settings.build_args/.test(e.message));
});

test('secret specs name the environment variables that hold the values', () => {
  assert.deepEqual(secretEnvNames(secretSpecs(['A', 'id=b,src=/f', 'id=c', 'env=C_VALUE'])!), ['A', 'C_VALUE']);
});

/** `executor --help` of osscontainertools/kaniko: flag name -> its value type, '' for a switch. */
function executorFlags(): Map<string, string> {
  const help = readFileSync(join(import.meta.dirname, '..', '..', 'components', 'kaniko-executor', 'executor-help-osscontainertools.txt'), 'utf8');
  const flags = new Map<string, string>();
  for (const m of help.matchAll(/^\s+(?:-\w, )?--([a-zA-Z-]+)(?: ([a-z-]+(?: type)?))?\s{2,}/gm)) flags.set(m[1]!, m[2] ?? '');
  return flags;
}

test("every flag the plugin can emit is in the executor's flag set, with the value form it expects", () => {
  const flags = executorFlags();
  assert.ok(flags.size > 50, 'the help text parsed');
  const everything = readSettings(settings, {
    ...Object.fromEntries(
      flagSettings.map(([name, spec]) => {
        const value = { bool: spec.options.default === true ? 'false' : 'true', int: '2', list: 'a.local', map: 'k=v', string: 'x', duration: '1h', json: '{}' }[spec.kind];
        return [`PLUGIN_${name.toUpperCase()}`, value];
      }),
    ),
    PLUGIN_CACHE_TTL: '6h',
    PLUGIN_SNAPSHOT_MODE: 'full',
    PLUGIN_VERBOSITY: 'info',
    PLUGIN_LOG_FORMAT: 'text',
    PLUGIN_SECRETS: 'id=a,env=B',
    PLUGIN_BUILD_ARGS_FROM_ENV: 'TOKEN',
    PLUGIN_REGISTRY_CERTIFICATE: 'a.local=/ca.crt',
    PLUGIN_REGISTRY_CLIENT_CERT: '["a.local=/c.pem,/k.pem"]',
  }).values;
  const argv = [...flagArgs(everything), '--destination=r.local/app:1'];
  const seen = new Set<string>();
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    assert.ok(m, `${arg} is --flag or --flag=value`);
    const [, name, value] = m;
    seen.add(name!);
    assert.ok(flags.has(name!), `--${name} is not an executor flag`);
    const type = flags.get(name!)!;
    if (type === '') assert.ok(value === undefined || value === 'true' || value === 'false', `--${name} is a switch, got ${arg}`);
    else assert.ok(value !== undefined && value !== '', `--${name} takes a ${type}, got ${arg}`);
    if (type === 'int') assert.match(value!, /^\d+$/, arg);
    if (type === 'duration') assert.match(value!, /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/, arg);
    if (type.startsWith('key-value-arg')) assert.match(value!, /^[^=]+=/, arg);
  }
  for (const [, spec] of flagSettings) assert.ok(seen.has(spec.options.flag!.slice(2)), `${spec.options.flag} was not exercised`);
});
