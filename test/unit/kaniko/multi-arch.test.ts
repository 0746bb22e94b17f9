import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BuildPlan, type KanikoSettings, planBuild } from '../../../plugins/kaniko/plan.ts';
import { ociArch, platformSuffix } from '../../../plugins/kaniko/platform.ts';
import { settings } from '../../../plugins/kaniko/settings.ts';
import { buildContext } from '../../../shared/context/build-context.ts';
import { readSettings } from '../../../shared/settings/index.ts';

const DEFAULTS: KanikoSettings = readSettings(settings, {}).values;
const PUSH_TO_MAIN = { DRONE_WORKSPACE: '/drone/src', DRONE_BUILD_EVENT: 'push', DRONE_COMMIT_REF: 'refs/heads/main', DRONE_REPO_BRANCH: 'main' };

function built(s: Partial<KanikoSettings>, env: Record<string, string> = {}, nodeArch = 'amd64'): BuildPlan {
  const all = { ...PUSH_TO_MAIN, ...env };
  const p = planBuild({ settings: { ...DEFAULTS, ...s }, build: buildContext(all, '/'), env: all, nodeArch });
  assert.ok(!('skip' in p));
  return p;
}

test("Node's architectures in OCI's words", () => {
  assert.equal(ociArch('x64'), 'amd64');
  assert.equal(ociArch('arm64'), 'arm64');
  assert.equal(ociArch('arm', '7'), 'armv7');
  assert.equal(ociArch('arm', '6'), 'armv6');
  assert.equal(ociArch('s390x'), 's390x');
  assert.equal(ociArch('ppc64'), 'ppc64le');
});

test('platform_tag_suffix: every tag gets the node architecture, latest too', () => {
  const p = built({ repo: ['ghcr.io/acme/app'], tags: ['1.2.3', 'latest'], platform_tag_suffix: true }, {}, 'arm64');
  assert.deepEqual(p.images, ['ghcr.io/acme/app:1.2.3-arm64', 'ghcr.io/acme/app:latest-arm64']);
  assert.equal(p.platformTag, "-arm64 (the node's architecture)");
  assert.deepEqual(p.warnings, []);
});

test('platform_tag_suffix with auto_tag: the version tags of a git tag, each with the architecture', () => {
  const p = built({ repo: ['ghcr.io/acme/app'], auto_tag: true, platform_tag_suffix: true }, { DRONE_BUILD_EVENT: 'tag', DRONE_COMMIT_REF: 'refs/tags/v1.2.3' });
  assert.deepEqual(p.images, ['ghcr.io/acme/app:1-amd64', 'ghcr.io/acme/app:1.2-amd64', 'ghcr.io/acme/app:1.2.3-amd64']);
});

test('settings.platform names the architecture built for; a pipeline that declares another is warned about', () => {
  const p = built({ repo: ['a/b'], platform: 'linux/arm/v7', platform_tag_suffix: true }, { DRONE_STAGE_ARCH: 'arm' });
  assert.deepEqual(p.images, ['a/b:latest-armv7']);
  assert.deepEqual(p.warnings, []);
  assert.deepEqual(platformSuffix(undefined, 'amd64', 'arm64'), {
    arch: 'amd64',
    from: "the node's architecture",
    warning: "the pipeline declares arch arm64 but the image is built for amd64 (the node's architecture): the tags get -amd64",
  });
  assert.match(built({ repo: ['a/b'], platform_tag_suffix: true }, { DRONE_STAGE_ARCH: 'arm64' }).warnings.join('\n'), /^settings.platform_tag_suffix: the pipeline declares arch arm64/);
});

test('without platform_tag_suffix the tags are as given', () => {
  assert.deepEqual(built({ repo: ['a/b'], tags: ['1'] }, {}, 'arm64').images, ['a/b:1']);
});

test('enable_cache keys the cache by platform, unless the step sets the flag itself', () => {
  assert.equal(built({ repo: ['a/b'], enable_cache: true }).env.FF_KANIKO_PLATFORM_CACHE_KEY, 'true');
  assert.equal(built({ repo: ['a/b'], enable_cache: true }, { FF_KANIKO_PLATFORM_CACHE_KEY: 'false' }).env.FF_KANIKO_PLATFORM_CACHE_KEY, undefined);
  assert.equal(built({ repo: ['a/b'] }).env.FF_KANIKO_PLATFORM_CACHE_KEY, undefined);
});

test('repo as a list: every repo gets every tag, each registry its own login', () => {
  const p = built({
    repo: ['registry.example.com/team/app', 'ghcr.io/team/app'],
    registry: 'registry.example.com',
    tags: ['1.2.3', 'latest'],
    username: 'ci',
    password: 'example-secret-1',
    registries: [{ registry: 'ghcr.io', username: 'bot', password: 'ghcr-secret-2' }],
  });
  assert.deepEqual(p.images, [
    'registry.example.com/team/app:1.2.3',
    'registry.example.com/team/app:latest',
    'ghcr.io/team/app:1.2.3',
    'ghcr.io/team/app:latest',
  ]);
  assert.deepEqual(p.argv.filter((a) => a.startsWith('--destination=')), p.images.map((i) => `--destination=${i}`));
  assert.deepEqual(Object.keys(p.dockerConfig.auths).sort(), ['ghcr.io', 'registry.example.com']);
  assert.ok(p.secrets.includes('ghcr-secret-2') && p.secrets.includes('example-secret-1'));
  assert.deepEqual(p.warnings, []);
});

test('a second repo on a registry the step has no login for is warned about', () => {
  const p = built({ repo: ['registry.example.com/team/app', 'quay.io/team/app'], username: 'ci', password: 'example-secret-1' });
  assert.deepEqual(p.warnings, ['settings.repo: no login for quay.io (give one in settings.registries); pushing there anonymously.']);
  // Amazon ECR has the pod's identity: no warning.
  assert.deepEqual(built({ repo: ['registry.example.com/a', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/a'] }).warnings, []);
});

test('repo accepts the comma-separated form Drone gives a YAML list', () => {
  const s = readSettings(settings, { PLUGIN_REPO: 'registry.example.com/team/app,ghcr.io/team/app' }).values;
  assert.deepEqual(s.repo, ['registry.example.com/team/app', 'ghcr.io/team/app']);
});
