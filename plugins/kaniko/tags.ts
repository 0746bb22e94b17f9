import { PluginError } from '../../shared/errors.ts';
import { SettingsError } from '../../shared/settings/index.ts';

/** The tags to push, or why the build is skipped (auto_tag on a build that gets no tag). */
type TagResult = { readonly tags: readonly string[] } | { readonly skip: string };

export interface TagInput {
  readonly tags: readonly string[];
  /** The workspace's `.tags` file, read when `tags` is unset. */
  readonly tagsFile?: string | undefined;
  readonly autoTag: boolean;
  readonly autoTagSuffix?: string | undefined;
  readonly expandTag: boolean;
  readonly event: string;
  readonly ref: string;
  readonly defaultBranch: string;
}

export function resolveTags(input: TagInput): TagResult {
  const given = splitTags(input.tags);
  // The rules keep tags (other than plugins/kaniko's default `latest`) and expand_tag away from auto_tag.
  if (input.autoTag) {
    const auto = autoTags(input.event, input.ref, input.defaultBranch);
    if ('skip' in auto) return auto;
    // The git tag is a semantic version, so a bad tag can only come from the suffix.
    return { tags: checked(withSuffix(auto.tags, input.autoTagSuffix), 'settings.auto_tag_suffix') };
  }
  const plain = given.length > 0 ? given : splitTags([input.tagsFile ?? '']);
  const tags = plain.length > 0 ? plain : ['latest'];
  return { tags: checked(input.expandTag ? tags.flatMap((t) => versionTags(t) ?? [t]) : tags, given.length > 0 ? 'settings.tags' : 'the .tags file of the workspace') };
}

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

function withSuffix(tags: readonly string[], suffix: string | undefined): string[] {
  if (!suffix) return [...tags];
  return tags.map((t) => (t === 'latest' ? suffix : `${t}-${suffix}`));
}

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Docker's tag grammar; `from` names where the tags came from, as the user wrote it. */
function checked(tags: readonly string[], from: string): string[] {
  const bad = tags.filter((t) => !IMAGE_TAG.test(t));
  if (bad.length > 0) {
    throw new SettingsError(
      bad.map((t) => `${from}: ${JSON.stringify(t.slice(0, 130))} is not an image tag: letters, digits, _ . and - only, at most 128, not starting with . or -.`),
    );
  }
  return [...new Set(tags)];
}
