import { PluginError } from '../../shared/errors.ts';
import { isObject } from '../../shared/image/docker-config.ts';
import { YamlLimitError, loadBoundedYaml, nodeBudget } from '../../shared/yaml.ts';

/** An OCI platform as an index entry gives it. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** manifest-tool's spec file: the target image, its extra tags, and each platform's image. */
export interface Spec {
  readonly image: string;
  readonly tags: readonly string[];
  readonly manifests: ReadonlyArray<{ readonly image: string; readonly platform: Platform }>;
}

export function platformText(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** The rendered spec, checked field by field; `name` is the file or `settings.spec`. */
export function parseSpec(text: string, name: string): Spec {
  let doc: unknown;
  try {
    doc = loadBoundedYaml(text, nodeBudget(), name);
  } catch (err) {
    const why = err instanceof YamlLimitError ? err.message : ((err as Error).message.split('\n', 1)[0] ?? '');
    throw new PluginError(`${name}: not a manifest-tool spec: ${why}`, { cause: err });
  }
  const fail = (what: string) => new PluginError(`${name}: ${what}`, { hint: 'A spec is `image: repo:tag`, optional `tags: [...]`, and `manifests:` each with `image` and `platform: {os, architecture, variant}`.' });
  if (!isObject(doc)) throw fail('expected a mapping with image and manifests');
  if (typeof doc.image !== 'string' || doc.image === '') throw fail('image: expected the target image, such as registry.example.com/team/app:1.2.3');
  const tags = doc.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' && typeof t !== 'number')) throw fail('tags: expected a list of tags');
  if (!Array.isArray(doc.manifests)) throw fail('manifests: expected a list of {image, platform}');
  const manifests = doc.manifests.map((m: unknown, i) => {
    const at = `manifests[${i}]`;
    if (!isObject(m) || typeof m.image !== 'string' || m.image === '') throw fail(`${at}.image: expected the image of one platform`);
    const p = m.platform;
    if (!isObject(p) || typeof p.architecture !== 'string' || typeof p.os !== 'string') throw fail(`${at}.platform: expected {os, architecture} (and variant)`);
    if (p.variant !== undefined && typeof p.variant !== 'string') throw fail(`${at}.platform.variant: expected text such as v7`);
    const platform: Platform = p.variant ? { os: p.os, architecture: p.architecture, variant: p.variant } : { os: p.os, architecture: p.architecture };
    return { image: m.image, platform };
  });
  return { image: doc.image, tags: tags.map(String), manifests };
}
