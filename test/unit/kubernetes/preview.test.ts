import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  expiredPreviews,
  expiryOf,
  labelValue,
  notOurs,
  previewNamespace,
  previewNamespaceObject,
  previewOf,
  repoSelector,
  shortHash,
  slug,
} from '../../../plugins/kubernetes/preview.ts';
import { buildContext } from '../../../shared/context/index.ts';

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('preview names', () => {
  it('slugs a branch to lower case letters, digits and single dashes', () => {
    assert.equal(slug('feature/Login_Page'), 'feature-login-page');
    assert.equal(slug('--Fix//ÜBER..thing--'), 'fix-ber-thing');
    assert.equal(slug('日本'), '');
  });

  it('is <prefix>-<slug> when it fits, the same every time', () => {
    assert.equal(previewNamespace('preview', 'feature/Login_Page'), 'preview-feature-login-page');
    assert.equal(previewNamespace('pr', 'pr-42'), 'pr-pr-42');
    assert.equal(previewNamespace('preview', '日本'), `preview-${shortHash('日本')}`);
  });

  it('cuts a long name to 63 characters with a stable hash of the whole branch', () => {
    const long = `feature/${'a-very-long-branch-name-'.repeat(4)}`;
    const ns = previewNamespace('preview', long);
    assert.equal(ns.length <= 63, true);
    assert.match(ns, DNS_1123_LABEL);
    assert.equal(ns, previewNamespace('preview', long));
    assert.ok(ns.endsWith(`-${shortHash(long)}`));
    // Two long branches with a common start get two namespaces.
    assert.notEqual(previewNamespace('preview', `${long}one`), previewNamespace('preview', `${long}two`));
    assert.match(shortHash('x'), /^[0-9a-f]{8}$/);
  });

  it('makes label values of any branch or repository', () => {
    assert.equal(labelValue('octocat/hello-world'), 'octocat.hello-world');
    assert.equal(labelValue('feature/Login Page!'), 'feature.Login-Page');
    const long = labelValue(`org/${'x'.repeat(80)}`);
    assert.equal(long.length <= 63, true);
    assert.match(long, /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
    assert.equal(repoSelector('octocat/hello-world'), 'sortie.dev/preview=true,sortie.dev/repo=octocat.hello-world');
  });
});

describe('previewOf', () => {
  const drone = { DRONE: 'true', DRONE_REPO: 'octocat/hello-world' };

  it('takes the branch of a push and the number of a pull request', () => {
    assert.deepEqual(previewOf('preview', buildContext({ ...drone, DRONE_COMMIT_BRANCH: 'feature/x' }, '/')), {
      namespace: 'preview-feature-x',
      shown: 'branch feature/x',
      branch: 'feature/x',
      repo: 'octocat/hello-world',
      pullRequest: '',
    });
    const pr = previewOf('preview', buildContext({ ...drone, DRONE_COMMIT_BRANCH: 'main', DRONE_PULL_REQUEST: '42', DRONE_SOURCE_BRANCH: 'feature/x' }, '/'));
    assert.equal(pr.namespace, 'preview-pr-42');
    assert.equal(pr.branch, 'feature/x');
    assert.equal(pr.shown, 'pull request 42');
  });

  it("reads Woodpecker's variables", () => {
    const p = previewOf('preview', buildContext({ CI: 'woodpecker', CI_REPO: 'octocat/hello-world', CI_COMMIT_PULL_REQUEST: '7', CI_COMMIT_SOURCE_BRANCH: 'fix' }, '/'));
    assert.equal(p.namespace, 'preview-pr-7');
  });

  it('needs a repository and a branch', () => {
    assert.throws(() => previewOf('preview', buildContext({ DRONE: 'true', DRONE_COMMIT_BRANCH: 'x' }, '/')), /needs the repository/);
    assert.throws(() => previewOf('preview', buildContext(drone, '/')), /needs the branch/);
  });
});

describe('the preview namespace', () => {
  const p = { namespace: 'preview-feature-x', shown: 'branch feature/x', branch: 'feature/x', repo: 'octocat/hello-world', pullRequest: '' };
  const expires = new Date('2026-12-05T10:20:30.456Z');
  const ns = previewNamespaceObject(p, expires);

  it('carries the labels to find it by, the names as written, and the expiry', () => {
    assert.deepEqual(ns, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'preview-feature-x',
        labels: { 'sortie.dev/preview': 'true', 'sortie.dev/branch': 'feature.x', 'sortie.dev/repo': 'octocat.hello-world' },
        annotations: { 'sortie.dev/branch': 'feature/x', 'sortie.dev/repo': 'octocat/hello-world', 'sortie.dev/expires-at': '2026-12-05T10:20:30Z' },
      },
    });
    assert.equal(expiryOf(ns.metadata)?.toISOString(), '2026-12-05T10:20:30.000Z');
    assert.equal(expiryOf({ annotations: { 'sortie.dev/expires-at': 'soon' } }), undefined);
  });

  it("tells what is not this branch's preview", () => {
    assert.equal(notOurs(ns.metadata, p), undefined);
    assert.match(notOurs({ name: 'x', labels: {} }, p) ?? '', /is no preview environment/);
    assert.match(notOurs({ ...ns.metadata, annotations: { ...ns.metadata.annotations, 'sortie.dev/repo': 'other/repo' } }, p) ?? '', /repository other\/repo, not octocat\/hello-world/);
    assert.match(notOurs({ ...ns.metadata, annotations: { ...ns.metadata.annotations, 'sortie.dev/branch': 'feature-x' } }, p) ?? '', /preview of feature-x, not feature\/x/);
  });

  it('lists the expired previews of the repository, oldest first, keeping the current one and what it cannot read', () => {
    const at = (name: string, iso: string | undefined, extra: Record<string, unknown> = {}) => ({
      metadata: {
        name,
        labels: { 'sortie.dev/preview': 'true' },
        annotations: { 'sortie.dev/repo': 'octocat/hello-world', 'sortie.dev/branch': name, ...(iso ? { 'sortie.dev/expires-at': iso } : {}) },
        ...extra,
      },
    });
    const now = new Date('2026-12-02T00:00:00Z');
    const items = [
      at('b', '2026-12-01T00:00:00Z'),
      at('a', '2026-11-30T00:00:00Z'),
      at('future', '2026-12-03T00:00:00Z'),
      at('unreadable', undefined),
      at('current', '2026-11-01T00:00:00Z'),
      at('terminating', '2026-11-01T00:00:00Z', { deletionTimestamp: '2026-12-01T00:00:00Z' }),
      { metadata: { ...at('foreign', '2026-11-01T00:00:00Z').metadata, annotations: { 'sortie.dev/repo': 'other/repo', 'sortie.dev/expires-at': '2026-11-01T00:00:00Z' } } },
    ];
    assert.deepEqual(
      expiredPreviews(items, 'octocat/hello-world', now, 'current').map((e) => e.name),
      ['a', 'b'],
    );
    assert.equal(expiredPreviews(items, 'octocat/hello-world', new Date('2026-12-01T00:00:00Z'))[2]?.name, 'b', 'an expiry equal to now has passed');
  });
});
