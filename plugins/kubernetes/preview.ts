/**
 * Preview environments: one namespace per branch or pull request, named, labelled and given an
 * expiry the same way every time. Pure: the effects are in preview-run.ts.
 */
import { createHash } from 'node:crypto';
import { PluginError } from '../../shared/errors.ts';
import type { BuildContext } from '../../shared/context/index.ts';
import type { KubeObject } from './manifests.ts';

const PREVIEW_LABEL = 'sortie.dev/preview';
const BRANCH_KEY = 'sortie.dev/branch';
const REPO_KEY = 'sortie.dev/repo';
const PULL_REQUEST_LABEL = 'sortie.dev/pull-request';
const EXPIRES_ANNOTATION = 'sortie.dev/expires-at';

/** A namespace name and a label value are both at most 63 characters. */
const MAX_NAME = 63;
const HASH_CHARS = 8;

export interface Preview {
  readonly namespace: string;
  /** The branch as written (`feature/Login`), or `pull request 42`: for the log. */
  readonly shown: string;
  /** The branch or pull request, as written: what the namespace belongs to. */
  readonly branch: string;
  readonly repo: string;
  readonly pullRequest: string;
}

/** A stable short hash of the text as written: two branches that slug alike still differ. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_CHARS);
}

/** Lower case letters, digits and single dashes, none at either end: DNS-1123 once not too long. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * `<prefix>-<slug>`, cut to 63 characters with `-<hash>` of the whole name when longer, so the same
 * branch always gets the same namespace and two long ones with a common start do not collide.
 */
export function previewNamespace(prefix: string, name: string): string {
  const s = slug(name);
  const full = s ? `${prefix}-${s}` : `${prefix}-${shortHash(name)}`;
  if (full.length <= MAX_NAME) return full;
  return `${full.slice(0, MAX_NAME - HASH_CHARS - 1).replace(/-+$/, '')}-${shortHash(name)}`;
}

/**
 * A valid label value (letters, digits, `-`, `_`, `.`; alphanumeric at both ends; at most 63) that
 * stands for the text: `octocat/hello-world` -> `octocat.hello-world`. The text as written goes in
 * an annotation of the same key.
 */
export function labelValue(text: string): string {
  const v = text.replace(/\//g, '.').replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (v.length <= MAX_NAME && v !== '') return v;
  return `${v.slice(0, MAX_NAME - HASH_CHARS - 1).replace(/[^A-Za-z0-9]+$/, '')}-${shortHash(text)}`.replace(/^-/, '');
}

/** The branch's (or pull request's) preview, from the build; an error when the build has neither. */
export function previewOf(prefix: string, build: BuildContext): Preview {
  const repo = build.repo.slug;
  if (!repo) throw new PluginError('settings.preview needs the repository (DRONE_REPO or CI_REPO), which this build does not set');
  const pr = build.build.pullRequest;
  if (pr) return { namespace: previewNamespace(prefix, `pr-${pr}`), shown: `pull request ${pr}`, branch: build.build.sourceBranch || `pr-${pr}`, repo, pullRequest: pr };
  const branch = build.commit.branch;
  if (!branch) throw new PluginError('settings.preview needs the branch (DRONE_COMMIT_BRANCH or CI_COMMIT_BRANCH) or pull request, and this build sets neither');
  return { namespace: previewNamespace(prefix, branch), shown: `branch ${branch}`, branch, repo, pullRequest: '' };
}

/** The namespace as each deploy applies it: labels to find it by, the names as written, the new expiry. */
export function previewNamespaceObject(p: Preview, expiresAt: Date): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: p.namespace,
      labels: {
        [PREVIEW_LABEL]: 'true',
        [BRANCH_KEY]: labelValue(p.branch),
        [REPO_KEY]: labelValue(p.repo),
        ...(p.pullRequest ? { [PULL_REQUEST_LABEL]: labelValue(p.pullRequest) } : {}),
      },
      annotations: { [BRANCH_KEY]: p.branch, [REPO_KEY]: p.repo, [EXPIRES_ANNOTATION]: isoSeconds(expiresAt) },
    },
  };
}

/** The selector of every preview namespace of a repository. */
export function repoSelector(repo: string): string {
  return `${PREVIEW_LABEL}=true,${REPO_KEY}=${labelValue(repo)}`;
}

interface NamespaceMeta {
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly deletionTimestamp?: string;
}

/**
 * Why an existing namespace is not this preview's to deploy into or delete: another repository's,
 * another branch's whose name slugs alike, or no preview at all. Undefined when it is this one's.
 */
export function notOurs(meta: NamespaceMeta, p: Preview): string | undefined {
  if (meta.labels?.[PREVIEW_LABEL] !== 'true') return `namespace ${meta.name} exists and is no preview environment (it has no ${PREVIEW_LABEL}=true label)`;
  const repo = meta.annotations?.[REPO_KEY];
  if (repo !== p.repo) return `namespace ${meta.name} is the preview of repository ${repo ?? '(unknown)'}, not ${p.repo}`;
  const branch = meta.annotations?.[BRANCH_KEY];
  if (branch !== p.branch) return `namespace ${meta.name} is the preview of ${branch ?? '(an unknown branch)'}, not ${p.branch}`;
  return undefined;
}

/** When the namespace expires; undefined when its annotation is missing or no time. */
export function expiryOf(meta: NamespaceMeta): Date | undefined {
  const raw = meta.annotations?.[EXPIRES_ANNOTATION];
  const t = raw ? Date.parse(raw) : Number.NaN;
  return Number.isNaN(t) ? undefined : new Date(t);
}

export interface Expired {
  readonly name: string;
  readonly branch: string;
  readonly expiredAt: Date;
}

/**
 * The namespaces of the repository whose expiry has passed, oldest first. One without a readable
 * expiry is kept: only what this plugin marked is deleted. So are the current preview (its expiry
 * is being pushed forward) and a namespace already terminating.
 */
export function expiredPreviews(items: readonly { readonly metadata: NamespaceMeta }[], repo: string, now: Date, keep?: string): Expired[] {
  const out: Expired[] = [];
  for (const { metadata: m } of items) {
    const expiredAt = expiryOf(m);
    if (!m.name || m.name === keep || m.deletionTimestamp || !expiredAt || expiredAt > now) continue;
    if (m.labels?.[PREVIEW_LABEL] !== 'true' || m.annotations?.[REPO_KEY] !== repo) continue;
    out.push({ name: m.name, branch: m.annotations?.[BRANCH_KEY] ?? '', expiredAt });
  }
  return out.sort((a, b) => a.expiredAt.getTime() - b.expiredAt.getTime());
}

function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}
