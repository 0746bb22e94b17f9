import { isMap, visitFieldSpec } from './field-spec.ts';
import type { FieldSpec, Image, Resource } from './types.ts';

// kustomize's `images` field specs, walked after its search of the whole object: a pod spec's
// containers are updated twice, which only a `tagSuffix` shows (`1.0-x-x`), as kustomize does.
const IMAGE_FIELDS: readonly FieldSpec[] = ['spec/containers[]/image', 'spec/initContainers[]/image', 'spec/template/spec/containers[]/image', 'spec/template/spec/initContainers[]/image'].map(
  (path) => ({ path }),
);

/**
 * kustomize's ImageTagTransformer: the `image` of every container and init container, at any depth
 * of any kind but a CustomResourceDefinition, whose name is `image.name`.
 */
export function setImages(resources: readonly Resource[], images: readonly Image[]): void {
  for (const image of images) {
    const matches = new RegExp(`^${image.name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`);
    const update = (container: unknown) => {
      if (isMap(container) && typeof container.image === 'string' && matches.test(container.image)) container.image = updated(container.image, image);
    };
    for (const r of resources) {
      if (r.object.kind === 'CustomResourceDefinition') continue;
      visitContainers(r.object, update);
      for (const spec of IMAGE_FIELDS) {
        visitFieldSpec(r.object, spec, undefined, (value, parent, key) => {
          if (typeof value === 'string' && matches.test(value)) (parent as Record<string | number, unknown>)[key] = updated(value, image);
        });
      }
    }
  }
}

function visitContainers(node: unknown, update: (container: unknown) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visitContainers(item, update);
    return;
  }
  if (!isMap(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) value.forEach(update);
    else visitContainers(value, update);
  }
}

function updated(value: string, image: Image): string {
  let { name, tag, digest } = splitImage(value);
  const newTag = image.newTag ?? '';
  if (image.newName) name = image.newName;
  if (newTag && image.digest) [tag, digest] = [newTag, image.digest];
  else if (newTag) [tag, digest] = [newTag, ''];
  else if (image.digest) [tag, digest] = ['', image.digest];
  else if (image.tagSuffix) [tag, digest] = [tag + image.tagSuffix, ''];
  return name + (tag ? `:${tag}` : '') + (digest ? `@${digest}` : '');
}

/** kustomize's image.Split: a `:` before the first `/` is a registry's port, not a tag. */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf('/');
  const from = slash > 0 ? slash : 0;
  const search = image.slice(from);
  let at = search.indexOf('@');
  let colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (at < colon || colon < 0)) {
    at += from;
    return { name: image.slice(0, at), tag: '', digest: image.slice(at + 1) };
  }
  colon += from;
  if (at >= 0) {
    at += from;
    return { name: image.slice(0, colon), tag: image.slice(colon + 1, at), digest: image.slice(at + 1) };
  }
  return { name: image.slice(0, colon), tag: image.slice(colon + 1), digest: '' };
}
