import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Recorded, StandInOptions } from '../components/kaniko-executor/index.ts';
import { kanikoStep } from '../support/kaniko-step.ts';
import { runBundle } from '../support/run-bundle.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly output: string;
  /** What the executor saw; undefined when it did not run. */
  readonly record: Recorded | undefined;
  readonly dir: string;
  readonly workspace: string;
}

/**
 * `dist/kaniko.js` in a fresh workspace with a Dockerfile, a stand-in executor and a temp Docker
 * config directory, as a push to the default branch unless `env` says otherwise.
 */
async function kaniko(env: Record<string, string>, opts: { standIn?: StandInOptions; files?: Record<string, string> } = {}): Promise<Run> {
  const step = kanikoStep(opts.standIn, opts.files);
  dirs.push(step.dir);
  const r = await runBundle('kaniko', { ...step.env, ...env }, { cwd: step.workspace });
  return { ...r, output: r.stdout + r.stderr, record: step.executor.record(), dir: step.dir, workspace: step.workspace };
}

function flags(r: Run): string[] {
  assert.ok(r.record, `the executor ran: ${r.output}`);
  return r.record.argv;
}

const auth = (user: string, pass: string) => ({ auth: Buffer.from(`${user}:${pass}`).toString('base64') });

test('a push: the argv, the printed command, the config, the streamed output and the pushed digests', async () => {
  const r = await kaniko({ PLUGIN_REPO: 'registry.local:5000/team/app', PLUGIN_TAGS: 'latest,1.0' });
  assert.equal(r.code, 0, r.output);
  assert.deepEqual(flags(r), [
    '--destination=registry.local:5000/team/app:latest',
    '--destination=registry.local:5000/team/app:1.0',
    '--dockerfile=Dockerfile',
    '--context=dir://.',
    `--digest-file=${r.dir}/digest`,
  ]);
  assert.equal(r.record?.cwd, r.workspace);
  assert.deepEqual(r.record?.dockerConfig, { auths: {} });
  assert.equal(r.record?.env.DOCKER_CONFIG, join(r.dir, 'docker'));
  const lines = r.stdout.split('\n');
  const command = lines.findIndex((l) => l.startsWith('+ '));
  assert.equal(lines[command], `+ ${r.dir}/executor ${flags(r).join(' ')}`);
  assert.equal(lines[command + 1], 'INFO[0000] stand-in executor: building');
  assert.deepEqual(lines.slice(command + 2, -1), [`pushed registry.local:5000/team/app:latest@${DIGEST}`, `pushed registry.local:5000/team/app:1.0@${DIGEST}`]);
  assert.equal(r.stderr, '');
});

test("the executor gets the step's environment without the plugin's settings", async () => {
  const r = await kaniko({ PLUGIN_REPO: 'acme/app', PLUGIN_USERNAME: 'me', PLUGIN_PASSWORD: 'hub-password', STEP_VAR: 'kept' });
  assert.equal(r.code, 0, r.output);
  assert.equal(r.record?.env.STEP_VAR, 'kept');
  assert.deepEqual(Object.keys(r.record?.env ?? {}).filter((k) => k.startsWith('PLUGIN_')), []);
});

test('every executor setting reaches argv as its flag', async () => {
  const r = await kaniko(
    {
      PLUGIN_REPO: 'registry.local/app',
      PLUGIN_DOCKERFILE: 'docker/Dockerfile',
      PLUGIN_CONTEXT: 'app',
      PLUGIN_CONTEXT_SUB_PATH: 'web',
      PLUGIN_TARGET: 'runtime',
      PLUGIN_BUILD_ARGS: '["A=x,y","B=two words"]',
      PLUGIN_BUILD_ARGS_FROM_ENV: 'NPM_TOKEN',
      PLUGIN_LABELS: '{"org.opencontainers.image.vendor":"acme"}',
      PLUGIN_REGISTRY_MIRRORS: 'https://mirror.gcr.io',
      PLUGIN_ENABLE_CACHE: 'true',
      PLUGIN_CACHE_REPO: 'registry.local/cache',
      PLUGIN_CACHE_TTL: '6h',
      PLUGIN_CACHE_DIR: '/cache',
      PLUGIN_CACHE_COPY_LAYERS: 'true',
      PLUGIN_COMPRESSED_CACHING: 'false',
      PLUGIN_SNAPSHOT_MODE: 'redo',
      PLUGIN_SKIP_TLS_VERIFY: 'true',
      PLUGIN_SKIP_TLS_VERIFY_REGISTRY: 'a.local,b.local',
      PLUGIN_INSECURE: 'true',
      PLUGIN_INSECURE_PULL: 'true',
      PLUGIN_INSECURE_REGISTRY: 'registry.local',
      PLUGIN_PLATFORM: 'linux/arm64',
      PLUGIN_TAR_PATH: 'out/image.tar',
      PLUGIN_OCI_LAYOUT_PATH: 'out/oci',
      PLUGIN_PUSH_RETRY: '3',
      PLUGIN_VERBOSITY: 'debug',
      PLUGIN_REPRODUCIBLE: 'true',
      PLUGIN_SINGLE_SNAPSHOT: 'true',
      PLUGIN_SKIP_UNUSED_STAGES: 'true',
      PLUGIN_USE_NEW_RUN: 'true',
      PLUGIN_CLEANUP: 'true',
      PLUGIN_IGNORE_PATHS: '/var/cache',
      PLUGIN_IMAGE_DOWNLOAD_RETRY: '2',
      PLUGIN_SECRETS: 'id=npm,env=NPM_TOKEN',
      NPM_TOKEN: 'npm-token-value',
    },
    { files: { 'app/web/docker/Dockerfile': 'FROM scratch\n' } },
  );
  assert.equal(r.code, 0, r.output);
  assert.deepEqual(flags(r), [
    '--destination=registry.local/app:latest',
    '--dockerfile=docker/Dockerfile',
    '--context=dir://app',
    '--context-sub-path=web',
    '--target=runtime',
    '--build-arg=A=x,y',
    '--build-arg=B=two words',
    '--build-arg=NPM_TOKEN',
    '--label=org.opencontainers.image.vendor=acme',
    '--registry-mirror=mirror.gcr.io',
    '--cache',
    '--cache-repo=registry.local/cache',
    '--cache-ttl=6h',
    '--cache-dir=/cache',
    '--cache-copy-layers',
    '--compressed-caching=false',
    '--snapshot-mode=redo',
    '--single-snapshot',
    '--use-new-run',
    '--reproducible',
    '--skip-unused-stages',
    '--skip-tls-verify',
    '--skip-tls-verify-registry=a.local',
    '--skip-tls-verify-registry=b.local',
    '--insecure',
    '--insecure-pull',
    '--insecure-registry=registry.local',
    '--custom-platform=linux/arm64',
    '--tar-path=out/image.tar',
    '--oci-layout-path=out/oci',
    '--push-retry=3',
    '--image-download-retry=2',
    '--ignore-path=/var/cache',
    '--cleanup',
    '--verbosity=debug',
    '--secret=id=npm,env=NPM_TOKEN',
    `--digest-file=${r.dir}/digest`,
  ]);
  assert.equal(r.record?.env.NPM_TOKEN, 'npm-token-value');
  assert.ok(existsSync(join(r.workspace, 'out')), 'the tarball directory is made');
  assert.ok(!r.output.includes('npm-token-value'));
});

test('tags from the .tags file, split on commas and newlines; dry_run builds without pushing', async () => {
  const tagged = await kaniko({ PLUGIN_REPO: 'acme/app' }, { files: { '.tags': '1.2.3, 1.2\nlatest\n' } });
  assert.deepEqual(
    flags(tagged).filter((a) => a.startsWith('--destination')),
    ['--destination=acme/app:1.2.3', '--destination=acme/app:1.2', '--destination=acme/app:latest'],
  );
  const dry = await kaniko({ PLUGIN_DRY_RUN: 'true' });
  assert.equal(dry.code, 0, dry.output);
  assert.deepEqual(flags(dry), ['--dockerfile=Dockerfile', '--context=dir://.', '--no-push', `--digest-file=${dry.dir}/digest`]);
  assert.match(dry.stdout, new RegExp(`^built ${DIGEST}$`, 'm'));
});

test('auto_tag on a tag, with expand-free semver tags, and the artifact file of what was pushed', async () => {
  const r = await kaniko({
    DRONE_BUILD_EVENT: 'tag',
    DRONE_COMMIT_REF: 'refs/tags/v1.2.3',
    PLUGIN_REPO: 'ghcr.io/acme/app',
    PLUGIN_AUTO_TAG: 'true',
    PLUGIN_AUTO_TAG_SUFFIX: 'alpine',
    PLUGIN_ARTIFACT_FILE: 'out/artifact.json',
  });
  assert.equal(r.code, 0, r.output);
  const images = ['ghcr.io/acme/app:1-alpine', 'ghcr.io/acme/app:1.2-alpine', 'ghcr.io/acme/app:1.2.3-alpine'];
  assert.deepEqual(
    flags(r).filter((a) => a.startsWith('--destination')),
    images.map((i) => `--destination=${i}`),
  );
  assert.deepEqual(JSON.parse(readFileSync(join(r.workspace, 'out', 'artifact.json'), 'utf8')), {
    kind: 'docker/v1',
    data: { registryType: 'Docker', registryUrl: 'ghcr.io', images: images.map((image) => ({ image, digest: DIGEST })) },
  });
});

test('expand_tag pushes the major and minor tags too', async () => {
  const r = await kaniko({ PLUGIN_REPO: 'acme/app', PLUGIN_TAGS: 'v18.06.0,latest', PLUGIN_EXPAND_TAG: 'true' });
  assert.deepEqual(
    flags(r).filter((a) => a.startsWith('--destination')),
    ['18', '18.06', '18.06.0', 'latest'].map((t) => `--destination=acme/app:${t}`),
  );
});

test('auto_tag on a build that gets no tag skips with a message and exit 0, without running the executor', async () => {
  const r = await kaniko({ DRONE_BUILD_EVENT: 'pull_request', DRONE_COMMIT_REF: 'refs/pull/4/head', PLUGIN_REPO: 'acme/app', PLUGIN_AUTO_TAG: 'true', PLUGIN_USERNAME: 'u' });
  assert.equal(r.code, 0, r.output);
  assert.equal(r.record, undefined);
  assert.match(r.stdout, /auto_tag: skipping the build: images are built for git tags and for pushes to the default branch main; this is a pull_request of refs\/pull\/4\/head/);
});

test('the executor exit code passes through, and nothing is reported as pushed', async () => {
  const r = await kaniko({ PLUGIN_REPO: 'acme/app', PLUGIN_ARTIFACT_FILE: 'artifact.json' }, { standIn: { exitCode: 3, stderr: ['error building image: boom'] } });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /^error building image: boom$/m);
  assert.match(r.stderr, /error: the executor exited with code 3\./);
  assert.doesNotMatch(r.stdout, /pushed/);
  assert.ok(!existsSync(join(r.workspace, 'artifact.json')));
});

test('credentials: push, base image and extra registries, merged into the given config, Docker Hub under its v1 key', async () => {
  const r = await kaniko({
    PLUGIN_REPO: 'acme/app',
    PLUGIN_USERNAME: 'pusher',
    PLUGIN_PASSWORD: 'push-password',
    PLUGIN_DOCKER_REGISTRY: 'https://quay.io/v2/',
    PLUGIN_DOCKER_USERNAME: 'puller',
    PLUGIN_DOCKER_PASSWORD: 'pull-password',
    PLUGIN_REGISTRIES: JSON.stringify([
      { registry: 'ghcr.io', username: 'gh', password: 'ghcr-password' },
      { registry: 'https://registry.local:5000', username: 'local', password: 'local-password' },
    ]),
    PLUGIN_CONFIG: JSON.stringify({
      auths: { 'docker.io': auth('old', 'old-password'), 'registry.gitlab.com': auth('gl', 'gitlab-password') },
      credHelpers: { 'myacr.azurecr.io': 'acr-env' },
    }),
  });
  assert.equal(r.code, 0, r.output);
  assert.deepEqual(r.record?.dockerConfig, {
    auths: {
      'https://index.docker.io/v1/': auth('pusher', 'push-password'),
      'registry.gitlab.com': auth('gl', 'gitlab-password'),
      'quay.io': auth('puller', 'pull-password'),
      'ghcr.io': auth('gh', 'ghcr-password'),
      'registry.local:5000': auth('local', 'local-password'),
    },
    credHelpers: { 'myacr.azurecr.io': 'acr-env' },
  });
  assert.match(r.stdout, /registry credentials in .*config\.json: https:\/\/index\.docker\.io\/v1\/, registry\.gitlab\.com, quay\.io, ghcr\.io, registry\.local:5000, myacr\.azurecr\.io \(acr-env\)/);
});

test('Amazon ECR: the ecr-login helper and the AWS environment; without keys, the pod identity', async () => {
  const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
  const keys = await kaniko({ PLUGIN_REGISTRY: ecr, PLUGIN_REPO: 'app', PLUGIN_ACCESS_KEY: 'AKIAEXAMPLEKEY', PLUGIN_SECRET_KEY: 'aws-secret-key-value' });
  assert.equal(keys.code, 0, keys.output);
  assert.equal(flags(keys)[0], `--destination=${ecr}/app:latest`);
  assert.deepEqual(keys.record?.dockerConfig, { auths: {}, credHelpers: { [ecr]: 'ecr-login' } });
  assert.equal(keys.record?.env.AWS_ACCESS_KEY_ID, 'AKIAEXAMPLEKEY');
  assert.equal(keys.record?.env.AWS_SECRET_ACCESS_KEY, 'aws-secret-key-value');
  assert.equal(keys.record?.env.AWS_REGION, 'eu-west-1');

  const identity = await kaniko({ PLUGIN_REPO: 'public.ecr.aws/acme/app', AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/token', AWS_ROLE_ARN: 'arn:aws:iam::1:role/ci' });
  assert.deepEqual(identity.record?.dockerConfig, { auths: {}, credHelpers: { 'public.ecr.aws': 'ecr-login' } });
  assert.equal(identity.record?.env.AWS_ACCESS_KEY_ID, undefined);
  assert.equal(identity.record?.env.AWS_WEB_IDENTITY_TOKEN_FILE, '/var/run/secrets/token');
  assert.equal(identity.record?.env.AWS_REGION, 'us-east-1');
});

test('Google: json_key written to a file that GOOGLE_APPLICATION_CREDENTIALS names', async () => {
  const key = JSON.stringify({ type: 'service_account', private_key: 'google-private-key' });
  const r = await kaniko({ PLUGIN_REPO: 'europe-docker.pkg.dev/proj/repo/app', PLUGIN_JSON_KEY: key, PLUGIN_ARTIFACT_FILE: 'a.json' });
  assert.equal(r.code, 0, r.output);
  assert.equal(r.record?.env.GOOGLE_APPLICATION_CREDENTIALS, join(r.dir, 'docker', 'google-application-credentials.json'));
  assert.equal(r.record?.googleKey, key);
  assert.equal(JSON.parse(readFileSync(join(r.workspace, 'a.json'), 'utf8')).data.registryType, 'GAR');
});

test('no secret reaches any log line, even when the executor prints it', async () => {
  const secrets = {
    PLUGIN_PASSWORD: 'push-password-1',
    PLUGIN_BASE_IMAGE_PASSWORD: 'base-password-2',
    PLUGIN_SECRET_KEY: 'aws-secret-key-3',
    PLUGIN_JSON_KEY: '{"private_key":"google-key-4"}',
    PLUGIN_CONFIG: JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('q:config-password-5').toString('base64') } } }),
    PLUGIN_REGISTRIES: JSON.stringify([{ registry: 'ghcr.io', username: 'gh', password: 'registries-password-6' }]),
  };
  const values = ['push-password-1', 'base-password-2', 'aws-secret-key-3', 'google-key-4', 'config-password-5', 'registries-password-6', 'build-arg-value-7', 'env-arg-value-8', 'secret-env-value-9'];
  const r = await kaniko(
    {
      ...secrets,
      PLUGIN_REPO: 'acme/app',
      PLUGIN_USERNAME: 'me',
      PLUGIN_BASE_IMAGE_USERNAME: 'base',
      PLUGIN_ACCESS_KEY: 'AKIA',
      PLUGIN_BUILD_ARGS: 'VALUE=build-arg-value-7',
      PLUGIN_BUILD_ARGS_FROM_ENV: 'FROM_ENV',
      FROM_ENV: 'env-arg-value-8',
      PLUGIN_SECRETS: 'id=s,env=SECRET_ENV',
      SECRET_ENV: 'secret-env-value-9',
      PLUGIN_DEBUG: 'true',
    },
    { standIn: { stdout: values.map((v) => `echo ${v}`), stderr: values.map((v) => `echo ${v}`) } },
  );
  assert.equal(r.code, 0, r.output);
  for (const v of values) {
    assert.ok(!r.output.includes(v), `${v} is in the output`);
    assert.ok(!r.output.includes(Buffer.from(v).toString('base64')), `${v} is in the output, base64`);
  }
  assert.match(r.stdout, /--build-arg=VALUE=\*{8} --build-arg=FROM_ENV /);
  assert.match(r.stdout, /^echo \*{8}$/m);
});

test('a username without a password is a settings error before anything runs', async () => {
  const r = await kaniko({ PLUGIN_REPO: 'acme/app', PLUGIN_USERNAME: 'me' });
  assert.equal(r.code, 1);
  assert.equal(r.record, undefined);
  assert.match(r.stderr, /error: settings\.username is set but settings\.password is not: set both to log in to https:\/\/index\.docker\.io\/v1\/, or neither\./);
  assert.ok(!existsSync(join(r.dir, 'docker', 'config.json')));
});

test('bad input fails before the executor runs, with exit 1 and a clear message', async () => {
  const rows: Array<[string, Record<string, string>, RegExp]> = [
    ['missing repo', {}, /error: settings\.repo is required to push an image/],
    ['missing Dockerfile', { PLUGIN_REPO: 'a/b', PLUGIN_DOCKERFILE: 'Dockerfile.prod', PLUGIN_CONTEXT: 'app' }, /error: the Dockerfile Dockerfile\.prod does not exist: looked for \S+\/src\/Dockerfile\.prod and \S+\/src\/app\/Dockerfile\.prod\./],
    ['malformed build arg', { PLUGIN_REPO: 'a/b', PLUGIN_BUILD_ARGS: 'A=1,=' }, /error: settings\.build_args: expected key=value pairs, one has no key \(the value is not shown: the setting is secret\)/],
    ['bad build arg name', { PLUGIN_REPO: 'a/b', PLUGIN_BUILD_ARGS: '{"A B":"x"}' }, /error: settings\.build_args: "A B" is not a build argument name/],
    ['not semver', { PLUGIN_REPO: 'a/b', PLUGIN_AUTO_TAG: 'true', DRONE_BUILD_EVENT: 'tag', DRONE_COMMIT_REF: 'refs/tags/20190203' }, /error: auto_tag: the git tag 20190203 is not a semantic version/],
    ['auto_tag with tags', { PLUGIN_REPO: 'a/b', PLUGIN_AUTO_TAG: 'true', PLUGIN_TAGS: '1.0' }, /error: settings\.auto_tag and settings\.tags exclude each other/],
    ['auto_tag with expand_tag', { PLUGIN_REPO: 'a/b', PLUGIN_AUTO_TAG: 'true', PLUGIN_EXPAND_TAG: 'true' }, /error: settings\.auto_tag and settings\.expand_tag exclude each other/],
    ['bad tag', { PLUGIN_REPO: 'a/b', PLUGIN_TAGS: 'feature/x' }, /error: "feature\/x" is not an image tag/],
    ['no executor', { PLUGIN_REPO: 'a/b', PLUGIN_EXECUTOR: '/nonexistent/executor' }, /error: cannot run the executor \/nonexistent\/executor: it does not exist\./],
  ];
  for (const [name, env, message] of rows) {
    const r = await kaniko(env);
    assert.equal(r.code, 1, `${name}: ${r.output}`);
    assert.equal(r.record, undefined, name);
    assert.match(r.stderr, message, name);
  }
});
