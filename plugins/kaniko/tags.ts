import { type TagResult, autoTags, checkedTags, splitTags, versionTags } from '../../shared/image/tags.ts';

export interface TagInput {
  readonly tags: readonly string[];
  /** The workspace's `.tags` file, read when `tags` is unset. */
  readonly tagsFile?: string | undefined;
  readonly autoTag: boolean;
  readonly autoTagSuffix?: string | undefined;
  /** The architecture appended to every tag (`platform_tag_suffix`). */
  readonly platformSuffix?: string | undefined;
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
    return { tags: checkedTags(withPlatform(withSuffix(auto.tags, input.autoTagSuffix), input.platformSuffix), 'settings.auto_tag_suffix') };
  }
  const plain = given.length > 0 ? given : splitTags([input.tagsFile ?? '']);
  const tags = plain.length > 0 ? plain : ['latest'];
  const expanded = input.expandTag ? tags.flatMap((t) => versionTags(t) ?? [t]) : tags;
  return { tags: checkedTags(withPlatform(expanded, input.platformSuffix), given.length > 0 ? 'settings.tags' : 'the .tags file of the workspace') };
}

/** Every tag, `latest` too, gets the architecture: the per-architecture tags sortie/manifest joins. */
function withPlatform(tags: readonly string[], arch: string | undefined): string[] {
  return arch ? tags.map((t) => `${t}-${arch}`) : [...tags];
}

function withSuffix(tags: readonly string[], suffix: string | undefined): string[] {
  if (!suffix) return [...tags];
  return tags.map((t) => (t === 'latest' ? suffix : `${t}-${suffix}`));
}
