import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dockerArtifact } from '../../../shared/image/names.ts';
import { type BuildPlan, type KanikoSettings, type Plan, planBuild, planFromEnv } from '../../../plugins/kaniko/plan.ts';
import { autoTagSkip } from '../../../shared/image/tags.ts';
import { rules, settings } from '../../../plugins/kaniko/settings.ts';
import { buildContext } from '../../../shared/context/build-context.ts';
import { SettingsError, readSettings } from '../../../shared/settings/index.ts';

const DEFAULTS: KanikoSettings = readSettings(settings, {}).values;
const PUSH_TO_MAIN = { DRONE_WORKSPACE: '/drone/src', DRONE_BUILD_EVENT: 'push', DRONE_COMMIT_REF: 'refs/heads/main', DRONE_REPO_BRANCH: 'main' };

/** Settings as a test gives them: one repo may be written as a string. */
type Given = Omit<Partial<KanikoSettings>, 'repo'> & { readonly repo?: string | readonly string[] };

function plan(s: Given, env: Record<string, string> = {}, nodeArch = 'amd64'): Plan {
  const all = { ...PUSH_TO_MAIN, ...env };
  const repo = typeof s.repo === 'string' ? [s.repo] : (s.repo ?? []);
  return planBuild({ settings: { ...DEFAULTS, ...s, repo }, build: buildContext(all, '/'), env: all, nodeArch });
}

function built(s: Given, env: Record<string, string> = {}): BuildPlan {
  const p = plan(s, env);
  assert.ok(!('skip' in p), 'the build is not skipped');
  return p;
}

test('a push plans the destinations, the default flags and the printed command', () => {
  const p = built({ repo: 'ghcr.io/acme/app', tags: ['1.0', 'latest'] });
  assert.deepEqual(p.argv, [
    '--destination=ghcr.io/acme/app:1.0',
    '--destination=ghcr.io/acme/app:latest',
    '--dockerfile=Dockerfile',
    '--context=dir://.',
    '--digest-file=/kaniko/digest-file',
  ]);
  assert.equal(p.command, `/kaniko/executor ${p.argv.join(' ')}`);
  assert.equal(p.executor, '/kaniko/executor');
  assert.equal(p.cwd, '/drone/src');
  assert.deepEqual(p.env, { DOCKER_CONFIG: '/kaniko/.docker' });
  assert.deepEqual(p.dockerfiles, ['/drone/src/Dockerfile']);
  assert.equal(p.push, true);
});

test('the printed command shows build-arg values written in the settings and quotes what a shell would split', () => {
  const p = built({ repo: 'acme/app', build_args: { CHANNEL: 'latest', NOTE: 'x' }, target: 'two words' });
  assert.match(p.command, / '--target=two words' --build-arg=CHANNEL=latest --build-arg=NOTE=x /);
  assert.ok(p.argv.includes('--build-arg=CHANNEL=latest'));
  assert.deepEqual(p.secrets, []);
});

test('no_push needs no repo and pushes nothing; a tar path keeps the destinations as its tags', () => {
  const p = built({ no_push: true });
  assert.deepEqual(p.images, []);
  assert.ok(p.argv.includes('--no-push'));
  assert.equal(p.artifact, undefined);
  assert.deepEqual(built({ no_push: true, repo: 'acme/app', tar_path: 'out/app.tar' }).images, ['acme/app:latest']);
  assert.equal(built({ no_push: true, tar_path: 'out/app.tar' }).tarPath, '/drone/src/out/app.tar');
});

test('a repo without a registry goes to the registry setting, unless that is Docker Hub', () => {
  assert.deepEqual(built({ repo: 'team/app', registry: 'https://registry.local:5000/' }).images, ['registry.local:5000/team/app:latest']);
  assert.deepEqual(built({ repo: 'team/app', registry: 'docker.io' }).images, ['team/app:latest']);
  assert.deepEqual(built({ repo: 'ghcr.io/team/app', registry: 'ghcr.io' }).images, ['ghcr.io/team/app:latest']);
  assert.ok(built({ repo: 'app', registry: 'ghcr.io', cache_repo: 'cache' }).argv.includes('--cache-repo=ghcr.io/cache'));
});

test('the push login goes to the registry, else the repo host, else Docker Hub', () => {
  const config = (s: Given) => Object.keys(built({ username: 'u', password: 'p-secret', ...s }).dockerConfig.auths);
  assert.deepEqual(config({ repo: 'ghcr.io/acme/app' }), ['ghcr.io']);
  assert.deepEqual(config({ repo: 'acme/app' }), ['https://index.docker.io/v1/']);
  assert.deepEqual(config({ repo: 'acme/app', registry: 'https://index.docker.io/v2/' }), ['https://index.docker.io/v1/']);
  assert.deepEqual(config({ repo: 'ghcr.io/acme/app', registry: 'registry.local' }), ['registry.local']);
});

test('Amazon ECR: the ecr-login helper, the AWS keys and the region of the host', () => {
  const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
  const p = built({ repo: `${ecr}/app`, access_key: 'AKIAEXAMPLE', secret_key: 'aws-secret-value' });
  assert.deepEqual(p.dockerConfig, { auths: {}, credHelpers: { [ecr]: 'ecr-login' } });
  assert.deepEqual(p.env, {
    DOCKER_CONFIG: '/kaniko/.docker',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'aws-secret-value',
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
  });
  assert.equal(p.artifact, undefined);
  const identity = built({ repo: 'app', registry: 'public.ecr.aws', region: 'eu-central-1', artifact_file: 'a.json' });
  assert.deepEqual(identity.images, ['public.ecr.aws/app:latest']);
  assert.deepEqual(identity.env, { DOCKER_CONFIG: '/kaniko/.docker', AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'eu-central-1' });
  assert.deepEqual(identity.artifact, { file: '/drone/src/a.json', registryUrl: 'public.ecr.aws' });
  assert.equal(dockerArtifact(identity.artifact.registryUrl, [], '').data.registryType, 'ECR');
});

test('Google: json_key goes to a file that GOOGLE_APPLICATION_CREDENTIALS names', () => {
  const p = built({ repo: 'europe-docker.pkg.dev/p/r/app', json_key: '{"type":"service_account"}' }, { DOCKER_CONFIG: '/tmp/dc' });
  assert.deepEqual(p.googleKey, { path: '/tmp/dc/google-application-credentials.json', content: '{"type":"service_account"}' });
  assert.equal(p.env.GOOGLE_APPLICATION_CREDENTIALS, '/tmp/dc/google-application-credentials.json');
  assert.deepEqual(p.dockerConfig, { auths: {} });
});

test('half a login is a settings error of the declaration naming every problem, and no value', () => {
  const env = {
    PLUGIN_REPO: 'acme/app',
    PLUGIN_USERNAME: 'u',
    PLUGIN_BASE_IMAGE_PASSWORD: 'pw-secret',
    PLUGIN_REGISTRIES: '[{"registry": "quay.io", "username": "q"}, {}]',
    PLUGIN_ACCESS_KEY: 'AKIA',
  };
  assert.throws(
    () => readSettings(settings, env, { rules }),
    (e: unknown) => {
      assert.ok(e instanceof SettingsError);
      assert.deepEqual(e.problems, [
        'settings.registries: item 1 has a username but no password: give both, or neither',
        'settings.username is set but settings.password is not: set them together, or none of them.',
        'settings.base_image_password is set but settings.base_image_username is not: set them together, or none of them.',
        'settings.access_key is set but settings.secret_key is not: set them together, or none of them.',
      ]);
      return true;
    },
  );
  assert.throws(() => readSettings(settings, { PLUGIN_REGISTRIES: '[{}]', PLUGIN_NO_PUSH: 'true' }, { rules }), /settings.registries: item 1 has no registry/);
  assert.throws(() => readSettings(settings, {}, { rules }), /set one of settings.repo or settings.no_push\. Example: repo: registry.example.com\/team\/app/);
});

test('auto_tag skips before credentials are checked: pull requests from forks get no secrets', () => {
  const pr = { ...PUSH_TO_MAIN, DRONE_BUILD_EVENT: 'pull_request', DRONE_COMMIT_REF: 'refs/pull/1/head' };
  const p = plan({ auto_tag: true, repo: 'acme/app', username: 'u' }, pr);
  assert.ok('skip' in p);
  const build = buildContext(pr, '/');
  const read = readSettings(settings, { PLUGIN_AUTO_TAG: 'true', PLUGIN_REPO: 'acme/app', PLUGIN_USERNAME: 'u' }, { rules, skip: (v) => autoTagSkip(v, build) });
  assert.match(read.skip!, /^auto_tag: skipping the build/);
  assert.equal(autoTagSkip({ ...DEFAULTS, auto_tag: true }, buildContext(PUSH_TO_MAIN, '/')), undefined);
});

test('a tag build without a ref uses DRONE_TAG', () => {
  const p = built({ auto_tag: true, repo: 'acme/app' }, { DRONE_BUILD_EVENT: 'tag', DRONE_COMMIT_REF: '', DRONE_TAG: 'v2.1.0' });
  assert.deepEqual(p.images, ['acme/app:2', 'acme/app:2.1', 'acme/app:2.1.0']);
});

test('the Dockerfile is looked for in the workspace and in the context', () => {
  assert.deepEqual(built({ repo: 'a/b', context: 'app', context_sub_path: 'web' }).dockerfiles, ['/drone/src/Dockerfile', '/drone/src/app/web/Dockerfile']);
  assert.deepEqual(built({ repo: 'a/b', dockerfile: '/abs/Dockerfile', context: 'app' }).dockerfiles, ['/abs/Dockerfile']);
  assert.deepEqual(built({ repo: 'a/b', context: 'git://github.com/acme/app.git' }).dockerfiles, []);
});

test('variables named for the build are masked, and missing ones warned about', () => {
  const p = built({ repo: 'a/b', build_args_from_env: ['NPM_TOKEN', 'MISSING'], secrets: ['id=gh,env=GH_TOKEN'] }, { NPM_TOKEN: 'npm-secret', GH_TOKEN: 'gh-secret' });
  assert.ok(p.secrets.includes('npm-secret') && p.secrets.includes('gh-secret'));
  assert.deepEqual(p.warnings, ["MISSING is not set in the step's environment, so the build gets no value for it."]);
});

test('the artifact lists every pushed image with the digest', () => {
  assert.deepEqual(dockerArtifact('ghcr.io', ['ghcr.io/a:1', 'ghcr.io/a:1.2'], 'sha256:ab'), {
    kind: 'docker/v1',
    data: { registryType: 'Docker', registryUrl: 'ghcr.io', images: [{ image: 'ghcr.io/a:1', digest: 'sha256:ab' }, { image: 'ghcr.io/a:1.2', digest: 'sha256:ab' }] },
  });
});

test('planFromEnv plans a step from its environment, for the demo', () => {
  const p = planFromEnv({ ...PUSH_TO_MAIN, PLUGIN_REPO: 'ghcr.io/acme/app', PLUGIN_BUILD_ARGS: 'VERSION=1.2.3', PLUGIN_AUTO_TAG: 'true' });
  assert.ok(!('skip' in p));
  assert.equal(p.command, '/kaniko/executor --destination=ghcr.io/acme/app:latest --dockerfile=Dockerfile --context=dir://. --build-arg=VERSION=1.2.3 --digest-file=/kaniko/digest-file');
});
