import { type Rules, setting } from '../../shared/settings/index.ts';
import { excerpt } from '../../shared/secrets.ts';
import { dockerConfigProblem } from './docker-config.ts';
import { ENV_NAME, cacheTtl, secretSpecs } from './flag-values.ts';

/**
 * plugins/kaniko's names, with plugins/docker's where they differ, as aliases. A `flag` is the
 * executor flag the value is passed on as (argv.ts); every one exists in osscontainertools/kaniko's
 * `executor --help` with the value form used.
 */
export const settings = {
  repo: setting.list({
    doc: 'The image to push, without a tag; several push the same image to each (the login of each registry from `username`/`password` or `registries`). A repo without a registry is pushed to `registry` when that is set.',
    example: 'registry.example.com/team/app',
  }),
  registry: setting.string({
    doc: "The registry that `username`/`password` log in to (default: the repo's registry, else Docker Hub). Amazon ECR hosts get the `ecr-login` helper.",
    example: 'ghcr.io',
  }),
  tags: setting.list({
    doc: 'Tags to push. Unset: the `.tags` file of the workspace (commas or newlines), else `latest`.',
    aliases: ['tag'],
    example: '[latest, 1.2.3]',
    // plugins/kaniko's default, which pipelines often spell out next to auto_tag.
    noChoice: ['latest'],
  }),
  auto_tag: setting.bool({ doc: 'Tags from the git ref: `v1.2.3` gives 1, 1.2, 1.2.3; the default branch gives latest; other builds are skipped.', aliases: ['default_tags'] }),
  auto_tag_suffix: setting.string({ doc: 'Appended to the auto tags as `-suffix`; `latest` becomes the suffix.', aliases: ['default_suffix'], example: 'linux-amd64' }),
  platform_tag_suffix: setting.bool({
    doc: 'Append the architecture the image is built for to every tag (`1.2.3-arm64`, `latest-amd64`): that of `platform`, else of the node the step runs on. For joining per-architecture builds with sortie/manifest.',
  }),
  expand_tag: setting.bool({ doc: 'Each semver tag also gives its major and minor tags (`1.2.3` gives 1, 1.2, 1.2.3).' }),
  dockerfile: setting.string({ doc: 'The Dockerfile, relative to the workspace or to the context.', default: 'Dockerfile', flag: '--dockerfile', path: 'workspace' }),
  context: setting.string({
    doc: 'The build context: a directory of the workspace, or a kaniko context URL (`tar://`, `git://`, `s3://` ...).',
    default: '.',
    flag: '--context',
    path: 'workspace-or-url',
  }),
  context_sub_path: setting.string({ doc: 'A sub-directory of the context to build from.', flag: '--context-sub-path' }),
  target: setting.string({ doc: 'The Dockerfile stage to build.', flag: '--target' }),
  build_args: setting.map({
    doc: 'Build arguments: a list of `NAME=value` (a value may hold commas), a map, or a JSON array. Shown in the log, as they are in the image history: pass secrets with `build_args_from_env` or `secrets`.',
    example: '{NODE_ENV: production}',
    flag: '--build-arg',
    validate: (args) => envNamesProblem(Object.keys(args)),
  }),
  build_args_from_env: setting.list({
    doc: 'Names of environment variables passed as build arguments; the executor reads their values, which are masked in the log.',
    flag: '--build-arg',
    validate: envNamesProblem,
  }),
  custom_labels: setting.map({ doc: 'Image labels, `key=value`.', aliases: ['labels'], example: '[org.opencontainers.image.vendor=acme]', flag: '--label' }),
  registry_mirrors: setting.list({ doc: 'Pull-through mirrors of Docker Hub.', aliases: ['mirror', 'mirrors'], example: '[mirror.gcr.io]', flag: '--registry-mirror', validate: hostsProblem }),
  enable_cache: setting.bool({
    doc: "Cache layers in `cache_repo`, keyed by the target platform too (the executor's `FF_KANIKO_PLATFORM_CACHE_KEY`), so builds of different architectures never share a layer.",
    aliases: ['cache'],
    flag: '--cache',
  }),
  cache_repo: setting.string({
    doc: 'The repository that holds cached layers (default: `<repo>/cache`); like `repo`, put in `registry` when it names none.',
    flag: '--cache-repo',
  }),
  cache_ttl: setting.string({
    doc: 'How long cached layers are used, a duration; a bare number is hours, as plugins/kaniko reads it.',
    example: '6h',
    flag: '--cache-ttl',
    validate: (v) => (cacheTtl(v) === undefined ? `expected a duration such as 6h or 90m, got ${JSON.stringify(excerpt(v, 40))}` : undefined),
  }),
  // A volume of the build pod, not a workspace path.
  cache_dir: setting.string({ doc: 'A local directory of cached base images.', flag: '--cache-dir' }),
  cache_copy_layers: setting.bool({ doc: 'Cache COPY layers too.', flag: '--cache-copy-layers' }),
  cache_run_layers: setting.bool({ doc: 'Cache RUN layers.', default: true, flag: '--cache-run-layers' }),
  compressed_caching: setting.bool({ doc: 'Compress cached layers; turn off when builds run out of memory.', default: true, flag: '--compressed-caching' }),
  snapshot_mode: setting.string({ doc: 'What a snapshot compares.', choices: ['full', 'redo', 'time'], flag: '--snapshot-mode' }),
  single_snapshot: setting.bool({ doc: 'Take one snapshot at the end of the build.', flag: '--single-snapshot' }),
  use_new_run: setting.bool({ doc: 'Detect RUN changes without full snapshots (experimental).', flag: '--use-new-run' }),
  reproducible: setting.bool({ doc: 'Strip timestamps from the image.', flag: '--reproducible' }),
  skip_unused_stages: setting.bool({ doc: 'Build only the stages the target needs (the executor now does this by default).', flag: '--skip-unused-stages' }),
  skip_tls_verify: setting.bool({ doc: 'Push without verifying TLS certificates.', flag: '--skip-tls-verify' }),
  skip_tls_verify_pull: setting.bool({ doc: 'Pull without verifying TLS certificates.', flag: '--skip-tls-verify-pull' }),
  skip_tls_verify_registry: setting.list({
    doc: 'Registries used without verifying TLS certificates.',
    example: '[registry.local:5000]',
    flag: '--skip-tls-verify-registry',
    validate: hostsProblem,
  }),
  insecure: setting.bool({ doc: 'Push over plain HTTP.', flag: '--insecure' }),
  insecure_pull: setting.bool({ doc: 'Pull over plain HTTP.', flag: '--insecure-pull' }),
  insecure_registry: setting.list({ doc: 'Registries used over plain HTTP.', example: '[registry.local:5000]', flag: '--insecure-registry', validate: hostsProblem }),
  // Certificates are mounted into the build pod, so these paths are not workspace paths.
  registry_certificate: setting.map({
    doc: 'CA certificates of registries, `registry=/path/to/ca.crt`.',
    example: '[registry.local:5000=/certs/ca.crt]',
    flag: '--registry-certificate',
    validate: registryPathsProblem,
  }),
  registry_client_cert: setting.map({
    doc: 'Client certificates for mutual TLS, `registry=/path/cert,/path/key`.',
    example: '[registry.local:5000=/certs/client.crt,/certs/client.key]',
    flag: '--registry-client-cert',
    validate: registryPathsProblem,
  }),
  skip_push_permission_check: setting.bool({ doc: 'Do not check push access before building.', flag: '--skip-push-permission-check' }),
  skip_default_registry_fallback: setting.bool({ doc: 'Never fall back from the mirrors to Docker Hub.', flag: '--skip-default-registry-fallback' }),
  platform: setting.string({ doc: 'The platform to build for (no emulation).', aliases: ['custom_platform'], example: 'linux/arm64', flag: '--custom-platform' }),
  no_push: setting.bool({ doc: 'Build without pushing.', aliases: ['dry_run'], flag: '--no-push' }),
  tar_path: setting.string({ doc: 'Save the image as a tarball.', aliases: ['destination_tar_path'], flag: '--tar-path', path: 'workspace' }),
  oci_layout_path: setting.string({ doc: 'Save the image as an OCI layout.', flag: '--oci-layout-path', path: 'workspace' }),
  push_retry: setting.int({ doc: 'Retries of a failed push.', flag: '--push-retry' }),
  image_download_retry: setting.int({ doc: 'Retries of a failed base image download.', flag: '--image-download-retry' }),
  image_fs_extract_retry: setting.int({ doc: 'Retries of a failed base image extraction.', flag: '--image-fs-extract-retry' }),
  // Paths of the image's file system, not of the workspace.
  ignore_paths: setting.list({ doc: 'Paths left out of snapshots.', aliases: ['ignore_path'], flag: '--ignore-path' }),
  ignore_var_run: setting.bool({ doc: 'Leave /var/run out of snapshots.', default: true, flag: '--ignore-var-run' }),
  cleanup: setting.bool({ doc: 'Clean the filesystem at the end of the build.', flag: '--cleanup' }),
  force: setting.bool({ doc: 'Build even outside a container.', flag: '--force' }),
  verbosity: setting.string({ doc: "The executor's log level.", choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic'], flag: '--verbosity' }),
  log_format: setting.string({ doc: "The executor's log format.", choices: ['text', 'color', 'json'], flag: '--log-format' }),
  log_timestamp: setting.bool({ doc: 'Timestamp the executor log lines.', flag: '--log-timestamp' }),
  secrets: setting.list({
    doc: 'Build secrets for `RUN --mount=type=secret`: `id=X,env=VAR`, `id=X,src=/file`, or `NAME` for `id=NAME,env=NAME`.',
    example: '[NPM_TOKEN]',
    flag: '--secret',
    validate: (items) => (secretSpecs(items) === undefined ? 'expected id=NAME,env=VAR, id=NAME,src=/file or a variable name; an item is neither' : undefined),
  }),
  // The executor's hand-over to the plugin, in the kaniko image by default: not a workspace path.
  digest_file: setting.string({ doc: 'Where the executor writes the image digest, which the plugin reports.', default: '/kaniko/digest-file', flag: '--digest-file' }),
  image_name_with_digest_file: setting.string({ doc: 'A file to write `repo@digest` lines to.', flag: '--image-name-with-digest-file', path: 'workspace' }),
  image_name_tag_with_digest_file: setting.string({ doc: 'A file to write `repo:tag@digest` lines to.', flag: '--image-name-tag-with-digest-file', path: 'workspace' }),
  username: setting.string({ doc: 'The user that pushes to `registry`.' }),
  password: setting.string({ doc: 'The password or token of `username`.', secret: true }),
  base_image_registry: setting.string({ doc: 'The registry of the base images (default Docker Hub).', aliases: ['docker_registry'] }),
  base_image_username: setting.string({ doc: 'The user that pulls base images.', aliases: ['docker_username'] }),
  base_image_password: setting.string({ doc: 'The password or token of `base_image_username`.', aliases: ['docker_password'], secret: true }),
  registries: setting.json({
    doc: 'More registry logins, a list of `{registry, username, password}`.',
    example: '[{"registry": "ghcr.io", "username": "bot", "password": "..."}]',
    secret: true,
    validate: registriesProblem,
  }),
  config: setting.json({
    doc: 'A whole Docker config.json, merged with the logins above, which win over its entries for the same registry.',
    secret: true,
    validate: dockerConfigProblem,
  }),
  access_key: setting.string({ doc: 'AWS access key id for Amazon ECR (default: the pod\'s web identity or instance role).' }),
  secret_key: setting.string({ doc: 'AWS secret access key for Amazon ECR.', secret: true }),
  region: setting.string({ doc: "AWS region for Amazon ECR (default: the ECR host's region).", example: 'eu-west-1' }),
  json_key: setting.string({ doc: 'A Google service account key (JSON) for GCR and Artifact Registry (default: workload identity).', secret: true }),
  artifact_file: setting.string({ doc: 'Write a `docker/v1` artifact JSON with every pushed image and its digest to this file.', path: 'workspace' }),
  // The executor of the plugin's image, not a workspace path.
  executor: setting.string({ doc: 'The kaniko executor to run.', default: '/kaniko/executor' }),
} as const;

export const rules: Rules<typeof settings> = {
  together: [
    ['username', 'password'],
    ['base_image_username', 'base_image_password'],
    // Neither: the pod's AWS identity is used.
    ['access_key', 'secret_key'],
  ],
  // Without repo there is nowhere to push; no_push only builds.
  oneOf: [['repo', 'no_push']],
  exclusive: [
    // auto_tag derives the tags from the git ref, and already gives the major and minor tags.
    ['auto_tag', 'tags'],
    ['auto_tag', 'expand_tag'],
  ],
};

function envNamesProblem(names: readonly string[]): string | undefined {
  const bad = names.find((n) => !ENV_NAME.test(n));
  return bad === undefined ? undefined : `${JSON.stringify(excerpt(bad, 40))} is not a build argument name (letters, digits and _)`;
}

function hostsProblem(hosts: readonly string[]): string | undefined {
  const bad = hosts.find((h) => /^(true|false)$/i.test(h));
  return bad === undefined ? undefined : `takes registry names such as registry.local:5000, not ${bad}`;
}

function registryPathsProblem(paths: Readonly<Record<string, string>>): string | undefined {
  const bad = Object.entries(paths).find(([, path]) => path.trim() === '');
  return bad === undefined ? undefined : `expected registry=/path, ${JSON.stringify(excerpt(bad[0], 60))} has no path`;
}

/** Each item a registry with a whole login or none; the value is secret, so only positions are named. */
function registriesProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'expected a list of {registry, username, password}';
  for (const [i, item] of value.entries()) {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const has = (k: string) => typeof entry[k] === 'string' && entry[k] !== '';
    if (!has('registry')) return `item ${i + 1} has no registry: each item is {registry, username, password}`;
    if (has('username') !== has('password')) return `item ${i + 1} has a ${has('username') ? 'username but no password' : 'password but no username'}: give both, or neither`;
  }
  return undefined;
}
