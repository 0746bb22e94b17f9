import type { BuildContext } from '../context/index.ts';
import { PluginError } from '../errors.ts';
import { SettingsError } from '../settings/index.ts';

/** What a tag build gives: the tags to push, or why the step has nothing to push. */
export type TagResult = { readonly tags: readonly string[] } | { readonly skip: string };

/** Both the setting and the `.tags` file may separate tags with commas or newlines. */
export function splitTags(items: readonly string[]): string[] {
  return items
    .flatMap((item) => item.split(/[,\r\n]/))
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/** plugins/docker's rules: a git tag gives its versions, a push to the default branch `latest`. */
export function autoTags(event: string, ref: string, defaultBranch: string): TagResult {
  if (ref.startsWith('refs/tags/')) {
    const tag = ref.slice('refs/tags/'.length);
    const tags = versionTags(tag);
    if (!tags) {
      throw new PluginError(`auto_tag: the git tag ${tag} is not a semantic version (MAJOR.MINOR.PATCH).`, {
        hint: 'Tag releases like v1.2.3, or set settings.tags instead of auto_tag.',
      });
    }
    return { tags };
  }
  if (event !== 'pull_request' && defaultBranch !== '' && ref === `refs/heads/${defaultBranch}`) return { tags: ['latest'] };
  const branch = defaultBranch === '' ? 'the default branch (DRONE_REPO_BRANCH is not set)' : `the default branch ${defaultBranch}`;
  return { skip: `auto_tag: skipping the build: images are built for git tags and for pushes to ${branch}; this is a ${event || 'build'} of ${ref || 'an unknown ref'}.` };
}

/** The git ref a build is for; a tag build may carry DRONE_TAG without a ref. */
export function buildRef(build: BuildContext): string {
  return build.commit.ref || (build.build.tag ? `refs/tags/${build.build.tag}` : '');
}

export function buildAutoTags(build: BuildContext): TagResult {
  return autoTags(build.build.event, buildRef(build), build.repo.defaultBranch);
}

/** Why auto_tag has nothing to push in this build, for PluginDefinition.skip (asked before the rules between settings). */
export function autoTagSkip(s: { readonly auto_tag: boolean }, build: BuildContext): string | undefined {
  if (!s.auto_tag) return undefined;
  const auto = buildAutoTags(build);
  return 'skip' in auto ? auto.skip : undefined;
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * A version's tags as coreos/go-semver reads it, which is what plugins/docker and plugins/kaniko
 * use: the numbers keep their zero padding (`v18.06.0` gives `18.06`), a `0.x` version gets no bare
 * `0`, and a pre-release or build metadata gives only the full version. Undefined when not semver.
 */
export function versionTags(tag: string): string[] | undefined {
  const version = tag.startsWith('v') ? tag.slice(1) : tag;
  const m = SEMVER.exec(version);
  if (!m) return undefined;
  const [, major, minor, , prerelease, build] = m;
  if (prerelease || build) return [version];
  if (Number(major) === 0) return [`${major}.${minor}`, version];
  return [major!, `${major}.${minor}`, version];
}

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Docker's tag grammar; `from` names where the tags came from, as the user wrote it. */
export function checkedTags(tags: readonly string[], from: string): string[] {
  const bad = tags.filter((t) => !IMAGE_TAG.test(t));
  if (bad.length > 0) {
    throw new SettingsError(
      bad.map((t) => `${from}: ${JSON.stringify(t.slice(0, 130))} is not an image tag: letters, digits, _ . and - only, at most 128, not starting with . or -.`),
    );
  }
  return [...new Set(tags)];
}
