import type { BuildContext } from '../../shared/context/index.ts';
import { PluginError } from '../../shared/errors.ts';
import { SettingsError, type Values } from '../../shared/settings/index.ts';
import { buildAutoTags, checkedTags, splitTags } from '../../shared/image/tags.ts';
import { type ImageRef, parseImage, sameRegistry, withReference } from './reference.ts';
import type { settings } from './settings.ts';
import type { Platform, Spec } from './spec.ts';

/**
 * Settings (and the rendered spec) -> what the step joins and where it pushes it. Pure, so the
 * demo and the unit tests call it with plain objects.
 */
export type ManifestSettings = Values<typeof settings>;

export interface Source {
  readonly image: ImageRef;
  readonly platform: Platform;
}

export interface JoinPlan {
  /** The target repository, under its first tag. */
  readonly target: ImageRef;
  /** Every tag the index is pushed under, the target's own first. */
  readonly tags: readonly string[];
  readonly sources: readonly Source[];
  readonly ignoreMissing: boolean;
}

interface PlanInput {
  readonly settings: ManifestSettings;
  readonly build: BuildContext;
  /** The spec, parsed after rendering, when `spec` is set. */
  readonly spec?: Spec | undefined;
  /** The workspace's `.tags` file, when there is one. */
  readonly tagsFile?: string | undefined;
}

/**
 * The tags besides the target's own, and where they came from: `auto_tag`'s, else `tags`, else the
 * workspace's `.tags` file. They are also the spec template's `build.tags`, as in drone-manifest.
 */
export function extraTags(s: ManifestSettings, build: BuildContext, tagsFile: string | undefined): { readonly tags: readonly string[]; readonly from: string } {
  if (s.auto_tag) {
    const auto = buildAutoTags(build);
    return { tags: 'skip' in auto ? [] : auto.tags, from: 'auto_tag' };
  }
  if (s.tags.length > 0) return { tags: splitTags(s.tags), from: 'settings.tags' };
  return { tags: splitTags([tagsFile ?? '']), from: 'the .tags file of the workspace' };
}

export function planJoin(input: PlanInput): JoinPlan {
  const s = input.settings;
  const [targetName, from, specTags, sources] = input.spec
    ? [input.spec.image, 'settings.spec: image', input.spec.tags, input.spec.manifests.map((m) => ({ name: m.image, platform: m.platform, from: 'settings.spec' }))]
    : [s.target!, 'settings.target', [], s.platforms.map((p) => ({ name: fromTemplate(s.template!, parsePlatform(p)), platform: parsePlatform(p), from: 'settings.template' }))];
  const target = image(targetName, from);
  if (target.reference.startsWith('sha256:')) throw new SettingsError([`${from}: ${targetName} names a digest; the index is pushed under tags, so give a tag`]);
  const extra = extraTags(s, input.build, input.tagsFile);
  const tags = [...new Set([target.reference, ...checkedTags(specTags, 'settings.spec: tags'), ...checkedTags(extra.tags, extra.from)])];
  if (sources.length === 0) throw new SettingsError([`${input.spec ? 'settings.spec: manifests' : 'settings.platforms'} is empty: there is nothing to join`]);
  const images = sources.map((src) => ({ image: image(src.name, src.from), platform: src.platform }));
  const elsewhere = images.find((src) => !sameRegistry(src.image, target));
  if (elsewhere) {
    throw new PluginError(`${elsewhere.image.name} is on ${elsewhere.image.host}, the target on ${target.host}: an index can only name images of its own registry`, {
      hint: 'Push each platform image to the target registry (kaniko: list it in settings.repo), then join them there.',
    });
  }
  return { target: withReference(target, tags[0]!), tags, sources: images, ignoreMissing: s.ignore_missing };
}

/** manifest-tool's placeholders: `OS`, `ARCH` and `VARIANT` anywhere in the template. */
export function fromTemplate(template: string, p: Platform): string {
  return template.replaceAll('OS', p.os).replaceAll('ARCH', p.architecture).replaceAll('VARIANT', p.variant ?? '');
}

export function parsePlatform(text: string): Platform {
  // The declaration checked the shape.
  const [os, architecture, variant] = text.split('/') as [string, string, string | undefined];
  return variant ? { os, architecture, variant } : { os, architecture };
}

function image(name: string, from: string): ImageRef {
  const ref = parseImage(name);
  if (!ref) throw new PluginError(`${from}: ${JSON.stringify(name.slice(0, 200))} is not an image name`, { hint: 'An image is [registry/]repository[:tag], such as registry.example.com/team/app:1.2.3-arm64.' });
  return ref;
}
