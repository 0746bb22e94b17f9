import { PluginError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/log.ts';
import type { JoinPlan, Source } from './plan.ts';
import { type ImageRef, withReference } from './reference.ts';
import { type Descriptor, MEDIA, type Registry, sha256 } from './registry.ts';
import { type Platform, platformText } from './spec.ts';

export interface Joined {
  readonly digest: string;
  readonly mediaType: string;
  /** `repo:tag` of every tag pushed. */
  readonly images: readonly string[];
}

interface Entry extends Descriptor {
  readonly platform: Platform;
}

/**
 * Reads each source, checks it is the platform it claims, makes its blobs and manifest part of the
 * target repository (mounted on the registry, never sent through the step), and pushes the index
 * under every tag. Nothing is pushed under a tag until every source has been checked.
 */
export async function join(plan: JoinPlan, registry: Registry, log: Logger): Promise<Joined> {
  const found: Array<{ source: Source; entry: Entry; blobs: readonly string[]; raw: Buffer }> = [];
  for (const source of plan.sources) {
    const m = await registry.manifest(source.image);
    const claimed = platformText(source.platform);
    if (!m) {
      if (!plan.ignoreMissing) throw new PluginError(`${source.image.name} (${claimed}) does not exist`, { hint: 'Push it first, or set settings.ignore_missing to join the platforms that exist.' });
      log.warn(`${source.image.name} (${claimed}) does not exist: left out (ignore_missing)`);
      continue;
    }
    if (m.isIndex) throw new PluginError(`${source.image.name} (${claimed}) is already a multi-platform index: name the single-platform image of ${claimed}`);
    const config = await registry.config(source.image, m.config!);
    const platform = configPlatform(config);
    if (!samePlatform(source.platform, platform)) {
      throw new PluginError(`${source.image.name} is ${platformText(platform)}, not ${claimed}: its config says architecture ${platform.architecture || '(none)'}, os ${platform.os || '(none)'}${platform.variant ? `, variant ${platform.variant}` : ''}`, {
        hint: 'The image under this name was built for another platform: check the build step of that platform (kaniko platform_tag_suffix names the tag by the node it ran on).',
      });
    }
    const entry = { mediaType: m.mediaType, digest: m.digest, size: m.raw.length, platform: { ...platform, ...source.platform } };
    found.push({ source, entry, blobs: [m.config!.digest, ...m.layers.map((l) => l.digest)], raw: m.raw });
  }
  if (found.length === 0) throw new PluginError(`none of the ${plan.sources.length} source images exists: nothing to join`);

  for (const { source, entry, blobs, raw } of found) await bringInto(plan.target, source.image, blobs, raw, entry.mediaType, registry);

  // A Docker manifest list when a source is a Docker manifest: older clients read lists only.
  const mediaType = found.some((f) => f.entry.mediaType === MEDIA.dockerManifest) ? MEDIA.dockerList : MEDIA.ociIndex;
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: found.map((f) => f.entry) }));
  const digest = sha256(body);
  for (const f of found) log.info(`${platformText(f.entry.platform)}: ${f.source.image.name} ${f.entry.digest}`);
  const images: string[] = [];
  for (const tag of plan.tags) {
    await registry.putManifest(plan.target, tag, body, mediaType);
    const image = withReference(plan.target, tag).name;
    images.push(image);
    log.info(`pushed ${image}@${digest} (${mediaType === MEDIA.ociIndex ? 'OCI image index' : 'Docker manifest list'}, ${found.length} platforms)`);
  }
  return { digest, mediaType, images };
}

/** The source's blobs and manifest in the target repository, mounted from its own repository of the same registry. */
async function bringInto(target: ImageRef, source: ImageRef, blobs: readonly string[], raw: Buffer, mediaType: string, registry: Registry): Promise<void> {
  // The plan has made sure every source is on the target's registry.
  if (source.repository === target.repository) return;
  for (const digest of new Set(blobs)) if (!(await registry.hasBlob(target, digest))) await registry.mount(target, source, digest);
  await registry.putManifest(target, sha256(raw), raw, mediaType);
}

function configPlatform(config: unknown): Platform {
  const c = (typeof config === 'object' && config !== null ? config : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const variant = text(c.variant);
  return variant ? { os: text(c.os), architecture: text(c.architecture), variant } : { os: text(c.os), architecture: text(c.architecture) };
}

/** A variant only one side names is that architecture's default (arm64 is v8 whether or not it says so). */
function samePlatform(claimed: Platform, actual: Platform): boolean {
  if (claimed.os !== actual.os || claimed.architecture !== actual.architecture) return false;
  return !claimed.variant || !actual.variant || claimed.variant === actual.variant;
}
