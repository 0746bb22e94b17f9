import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ManifestSettings, extraTags, fromTemplate, parsePlatform, planJoin } from '../../../plugins/manifest/plan.ts';
import { autoTagSkip } from '../../../shared/image/tags.ts';
import { parseImage } from '../../../plugins/manifest/reference.ts';
import { rules, settings } from '../../../plugins/manifest/settings.ts';
import { parseSpec } from '../../../plugins/manifest/spec.ts';
import { buildContext } from '../../../shared/context/build-context.ts';
import { PluginError } from '../../../shared/errors.ts';
import { SettingsError, readSettings } from '../../../shared/settings/index.ts';

const DEFAULTS: ManifestSettings = readSettings(settings, {}).values;
const PUSH_TO_MAIN = { DRONE_WORKSPACE: '/drone/src', DRONE_BUILD_EVENT: 'push', DRONE_COMMIT_REF: 'refs/heads/main', DRONE_REPO_BRANCH: 'main' };
const TAG_BUILD = { ...PUSH_TO_MAIN, DRONE_BUILD_EVENT: 'tag', DRONE_COMMIT_REF: 'refs/tags/v1.2.3', DRONE_TAG: 'v1.2.3' };

function plan(s: Partial<ManifestSettings>, env: Record<string, string> = PUSH_TO_MAIN, tagsFile?: string) {
  return planJoin({ settings: { ...DEFAULTS, ...s }, build: buildContext(env, '/'), tagsFile });
}

test('image names as Docker reads them: Docker Hub, library/, the default tag, ports and digests', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const rows: Array<[string, { host: string; loginKey: string; repository: string; reference: string } | undefined]> = [
    ['alpine', { host: 'registry-1.docker.io', loginKey: 'https://index.docker.io/v1/', repository: 'library/alpine', reference: 'latest' }],
    ['docker.io/acme/app:1', { host: 'registry-1.docker.io', loginKey: 'https://index.docker.io/v1/', repository: 'acme/app', reference: '1' }],
    ['index.docker.io/alpine:3', { host: 'registry-1.docker.io', loginKey: 'https://index.docker.io/v1/', repository: 'library/alpine', reference: '3' }],
    ['127.0.0.1:5000/team/app:1.2.3-arm64', { host: '127.0.0.1:5000', loginKey: '127.0.0.1:5000', repository: 'team/app', reference: '1.2.3-arm64' }],
    ['localhost/app', { host: 'localhost', loginKey: 'localhost', repository: 'app', reference: 'latest' }],
    [`ghcr.io/acme/app@${digest}`, { host: 'ghcr.io', loginKey: 'ghcr.io', repository: 'acme/app', reference: digest }],
    ['ghcr.io/Acme/app:1', undefined],
    ['ghcr.io/acme/app:-bad', undefined],
    ['ghcr.io/acme/app@sha256:short', undefined],
  ];
  for (const [name, expected] of rows) {
    const ref = parseImage(name);
    assert.deepEqual(ref && { host: ref.host, loginKey: ref.loginKey, repository: ref.repository, reference: ref.reference }, expected, name);
  }
});

test("manifest-tool's template placeholders and platforms", () => {
  assert.deepEqual(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
  assert.equal(fromTemplate('acme/app:1.0-OS-ARCHVARIANT', parsePlatform('linux/arm/v7')), 'acme/app:1.0-linux-armv7');
  assert.equal(fromTemplate('acme/app:1.0-ARCH', parsePlatform('linux/arm64')), 'acme/app:1.0-arm64');
});

test('from arguments: one source a platform, the target tag first, then the tags', () => {
  const p = plan({ target: 'ghcr.io/acme/app:1.2.3', template: 'ghcr.io/acme/app:1.2.3-ARCH', platforms: ['linux/amd64', 'linux/arm64'], tags: ['latest', '1.2.3'] });
  assert.deepEqual(p.tags, ['1.2.3', 'latest']);
  assert.equal(p.target.name, 'ghcr.io/acme/app:1.2.3');
  assert.deepEqual(
    p.sources.map((s) => [s.image.name, s.platform]),
    [
      ['ghcr.io/acme/app:1.2.3-amd64', { os: 'linux', architecture: 'amd64' }],
      ['ghcr.io/acme/app:1.2.3-arm64', { os: 'linux', architecture: 'arm64' }],
    ],
  );
  assert.equal(p.ignoreMissing, false);
});

test('the .tags file when tags is unset; auto_tag gives the version tags of a git tag', () => {
  const args = { target: 'acme/app:1.2.3', template: 'acme/app:1.2.3-ARCH', platforms: ['linux/amd64'] };
  assert.deepEqual(plan(args, PUSH_TO_MAIN, 'latest\nstable').tags, ['1.2.3', 'latest', 'stable']);
  assert.deepEqual(plan({ ...args, auto_tag: true }, TAG_BUILD, 'ignored').tags, ['1.2.3', '1', '1.2']);
  assert.deepEqual(plan({ ...args, auto_tag: true }).tags, ['1.2.3', 'latest']);
  assert.match(autoTagSkip({ ...DEFAULTS, ...args, auto_tag: true }, buildContext({ ...PUSH_TO_MAIN, DRONE_COMMIT_REF: 'refs/heads/feature' }, '/')) ?? '', /^auto_tag: skipping/);
  assert.equal(autoTagSkip({ ...DEFAULTS, ...args }, buildContext(PUSH_TO_MAIN, '/')), undefined);
  // What the spec template sees as build.tags.
  assert.deepEqual(extraTags({ ...DEFAULTS, ...args }, buildContext(PUSH_TO_MAIN, '/'), 'a, b\nc'), { tags: ['a', 'b', 'c'], from: 'the .tags file of the workspace' });
  assert.deepEqual(extraTags({ ...DEFAULTS, ...args, tags: ['x'] }, buildContext(PUSH_TO_MAIN, '/'), 'ignored'), { tags: ['x'], from: 'settings.tags' });
});

test('a bad tag, a digest target or a bad image name is an error naming where it came from', () => {
  const args = { target: 'acme/app:1', template: 'acme/app:1-ARCH', platforms: ['linux/amd64'] };
  assert.throws(() => plan({ ...args, tags: ['-bad'] }), (e: unknown) => e instanceof SettingsError && /settings\.tags: "-bad" is not an image tag/.test(e.message));
  assert.throws(() => plan({ ...args, target: `acme/app@sha256:${'b'.repeat(64)}` }), /settings\.target: .* names a digest/);
  assert.throws(() => plan({ ...args, template: 'Acme/App:ARCH' }), (e: unknown) => e instanceof PluginError && /^settings\.template: "Acme\/App:amd64" is not an image name$/.test(e.message));
  assert.throws(
    () => plan({ ...args, target: 'registry.example.com/team/app:1', template: 'ghcr.io/team/app:1-ARCH' }),
    /^PluginError: ghcr\.io\/team\/app:1-amd64 is on ghcr\.io, the target on registry\.example\.com: an index can only name images of its own registry$/,
  );
});

test('from a spec: its image, its tags and its manifests', () => {
  const spec = parseSpec(
    ['image: acme/app:1.2.3', 'tags: [latest, 1.2]', 'manifests:', '  - image: acme/app:1.2.3-arm', '    platform: {os: linux, architecture: arm, variant: v7}'].join('\n'),
    'manifest.yml',
  );
  const p = planJoin({ settings: { ...DEFAULTS, spec: 'manifest.yml' }, build: buildContext(PUSH_TO_MAIN, '/'), spec });
  assert.deepEqual(p.tags, ['1.2.3', 'latest', '1.2']);
  assert.deepEqual(p.sources.map((s) => s.platform), [{ os: 'linux', architecture: 'arm', variant: 'v7' }]);
});

test('a spec that is not one is an error naming the file and the field', () => {
  const bad: Array<[string, RegExp]> = [
    ['image: [', /^manifest\.yml: not a manifest-tool spec: /],
    ['- a list', /^manifest\.yml: expected a mapping/],
    ['manifests: []', /^manifest\.yml: image: expected the target image/],
    ['image: a/b:1\nmanifests: {}', /^manifest\.yml: manifests: expected a list/],
    ['image: a/b:1\nmanifests:\n  - image: a/b:2', /^manifest\.yml: manifests\[0\]\.platform: expected \{os, architecture\}/],
    ['image: a/b:1\ntags: {a: 1}\nmanifests: []', /^manifest\.yml: tags: expected a list/],
  ];
  for (const [text, message] of bad) assert.throws(() => parseSpec(text, 'manifest.yml'), (e: unknown) => e instanceof PluginError && message.test(e.message), text);
});

test('the rules: spec or target with platforms and template; username with password; auto_tag or tags', () => {
  const problems = (env: Record<string, string>) => {
    try {
      readSettings(settings, env, { rules });
      return [];
    } catch (err) {
      return (err as SettingsError).problems;
    }
  };
  assert.match(problems({}).join('\n'), /^set one of settings\.spec or settings\.target\. Example: /);
  assert.match(problems({ PLUGIN_TARGET: 'a/b:1' }).join('\n'), /settings\.target needs settings\.platforms and settings\.template/);
  assert.match(problems({ PLUGIN_SPEC: 'x.yml', PLUGIN_TARGET: 'a/b:1', PLUGIN_PLATFORMS: 'linux/amd64', PLUGIN_TEMPLATE: 'a/b:ARCH' }).join('\n'), /settings\.spec and settings\.target exclude each other/);
  assert.match(problems({ PLUGIN_SPEC: 'x.yml', PLUGIN_USERNAME: 'u' }).join('\n'), /settings\.username is set but settings\.password is not/);
  assert.match(problems({ PLUGIN_SPEC: 'x.yml', PLUGIN_PLATFORMS: 'linux' }).join('\n'), /settings\.platforms: "linux" is not a platform/);
  assert.deepEqual(problems({ PLUGIN_SPEC: 'x.yml', PLUGIN_AUTO_TAG: 'true' }), []);
});
