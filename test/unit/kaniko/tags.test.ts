import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PluginError } from '../../../shared/errors.ts';
import { SettingsError, readSettings } from '../../../shared/settings/index.ts';
import { rules, settings } from '../../../plugins/kaniko/settings.ts';
import { type TagInput, resolveTags } from '../../../plugins/kaniko/tags.ts';
import { autoTags, splitTags, versionTags } from '../../../shared/image/tags.ts';

test('auto_tag derives tags from the ref, the event and the default branch', () => {
  const rows: Array<[event: string, ref: string, defaultBranch: string, expected: string[] | 'skip' | 'error']> = [
    ['tag', 'refs/tags/v1.2.3', 'main', ['1', '1.2', '1.2.3']],
    ['tag', 'refs/tags/1.2.3', 'main', ['1', '1.2', '1.2.3']],
    ['tag', 'refs/tags/v0.9.1', 'main', ['0.9', '0.9.1']],
    ['tag', 'refs/tags/v18.06.0', 'main', ['18', '18.06', '18.06.0']],
    ['tag', 'refs/tags/v1.0.0-alpha.1', 'main', ['1.0.0-alpha.1']],
    ['tag', 'refs/tags/v1.0.0+build.5', 'main', ['1.0.0+build.5']],
    ['tag', 'refs/tags/v1.0.0-rc1+linux', 'main', ['1.0.0-rc1+linux']],
    ['promote', 'refs/tags/v2.0.0', 'main', ['2', '2.0', '2.0.0']],
    ['tag', 'refs/tags/20190203', 'main', 'error'],
    ['tag', 'refs/tags/x1.0.0', 'main', 'error'],
    ['tag', 'refs/tags/v1.2', 'main', 'error'],
    ['push', 'refs/heads/main', 'main', ['latest']],
    ['cron', 'refs/heads/main', 'main', ['latest']],
    ['push', 'refs/heads/master', 'master', ['latest']],
    ['push', 'refs/heads/feature/x', 'main', 'skip'],
    ['push', 'refs/heads/main', '', 'skip'],
    ['pull_request', 'refs/pull/7/head', 'main', 'skip'],
    ['pull_request', 'refs/heads/main', 'main', 'skip'],
    ['', '', 'main', 'skip'],
  ];
  for (const [event, ref, branch, expected] of rows) {
    const name = `${event} ${ref} (default ${branch || 'unset'})`;
    if (expected === 'error') {
      assert.throws(() => autoTags(event, ref, branch), (e: unknown) => e instanceof PluginError && /is not a semantic version/.test(e.message), name);
      continue;
    }
    const result = autoTags(event, ref, branch);
    if (expected === 'skip') assert.ok('skip' in result && /skipping the build/.test(result.skip), name);
    else assert.deepEqual(result, { tags: expected }, name);
  }
});

test('the skip message says why and what would build', () => {
  const result = autoTags('pull_request', 'refs/pull/7/head', 'main');
  assert.ok('skip' in result);
  assert.match(result.skip, /git tags and for pushes to the default branch main; this is a pull_request of refs\/pull\/7\/head/);
});

test('versionTags reads semver as go-semver does and leaves anything else alone', () => {
  assert.deepEqual(versionTags('v1.2.3'), ['1', '1.2', '1.2.3']);
  assert.deepEqual(versionTags('v18.06.0'), ['18', '18.06', '18.06.0']);
  assert.deepEqual(versionTags('0.0.1'), ['0.0', '0.0.1']);
  assert.deepEqual(versionTags('1.2.3-rc.1'), ['1.2.3-rc.1']);
  for (const t of ['latest', 'v1', '1.2', '20190203', 'x1.0.0', '1.2.3-', 'v1.2.3.4']) assert.equal(versionTags(t), undefined, t);
});

test('tags split on commas and newlines', () => {
  assert.deepEqual(splitTags(['a, b\nc\r\n', ' d ', '']), ['a', 'b', 'c', 'd']);
});

const base: TagInput = { tags: [], autoTag: false, expandTag: false, event: 'push', ref: 'refs/heads/main', defaultBranch: 'main' };

test('resolveTags: explicit tags, then the .tags file, then latest', () => {
  assert.deepEqual(resolveTags({ ...base, tags: ['1.0', 'stable'], tagsFile: 'x' }), { tags: ['1.0', 'stable'] });
  assert.deepEqual(resolveTags({ ...base, tagsFile: 'a,b\nc\n\n' }), { tags: ['a', 'b', 'c'] });
  assert.deepEqual(resolveTags({ ...base, tagsFile: '\n' }), { tags: ['latest'] });
  assert.deepEqual(resolveTags(base), { tags: ['latest'] });
  assert.deepEqual(resolveTags({ ...base, tags: ['a', 'a'] }), { tags: ['a'] });
});

test('expand_tag gives each semver tag its major and minor tags, by the auto_tag rules', () => {
  assert.deepEqual(resolveTags({ ...base, expandTag: true, tags: ['v1.2.3', 'latest', 'v0.9.1', '2.0.0-rc1', '1.2.0'] }), {
    tags: ['1', '1.2', '1.2.3', 'latest', '0.9', '0.9.1', '2.0.0-rc1', '1.2.0'],
  });
});

test('auto_tag_suffix is appended, and latest becomes the suffix', () => {
  const tag = { ...base, autoTag: true, autoTagSuffix: 'linux-amd64' };
  assert.deepEqual(resolveTags({ ...tag, event: 'tag', ref: 'refs/tags/v1.2.3' }), { tags: ['1-linux-amd64', '1.2-linux-amd64', '1.2.3-linux-amd64'] });
  assert.deepEqual(resolveTags(tag), { tags: ['linux-amd64'] });
});

test('auto_tag ignores the .tags file and accepts the default tag latest', () => {
  assert.deepEqual(resolveTags({ ...base, autoTag: true, tagsFile: 'a,b' }), { tags: ['latest'] });
  assert.deepEqual(resolveTags({ ...base, autoTag: true, tags: ['latest'], ref: 'refs/tags/v3.0.0' }), { tags: ['3', '3.0', '3.0.0'] });
});

test('auto_tag with explicit tags or expand_tag is a settings error of the declaration; tags: latest is no choice', () => {
  const problems = (env: Record<string, string>) => {
    try {
      readSettings(settings, { PLUGIN_REPO: 'a/b', PLUGIN_AUTO_TAG: 'true', ...env }, { rules });
      return [];
    } catch (err) {
      return (err as SettingsError).problems;
    }
  };
  assert.deepEqual(problems({ PLUGIN_TAGS: '1.0', PLUGIN_EXPAND_TAG: 'true' }), [
    'settings.auto_tag and settings.tags exclude each other: set only one of them.',
    'settings.auto_tag and settings.expand_tag exclude each other: set only one of them.',
  ]);
  assert.deepEqual(problems({ PLUGIN_TAGS: 'latest' }), []);
});

test('a tag that cannot be an image tag is an error before anything runs', () => {
  assert.throws(() => resolveTags({ ...base, tagsFile: 'good\nnot good' }), (e: unknown) => e instanceof SettingsError && /"not good" is not an image tag/.test(e.message));
  assert.throws(() => resolveTags({ ...base, tags: ['-x'] }), SettingsError);
});
