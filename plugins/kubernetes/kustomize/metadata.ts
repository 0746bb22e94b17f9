import { isMap, visitFieldSpec } from './field-spec.ts';
import type { FieldSpec, Resource } from './types.ts';

/** kustomize's LabelTransformer and AnnotationsTransformer: each pair set wherever `specs` lead. */
export function setEntries(resources: readonly Resource[], pairs: Readonly<Record<string, string>>, specs: readonly FieldSpec[]): void {
  const keys = Object.keys(pairs).sort();
  if (keys.length === 0) return;
  for (const r of resources) {
    for (const spec of specs) {
      visitFieldSpec(r.object, spec, 'map', (value) => {
        if (!isMap(value)) return;
        for (const key of keys) value[key] = pairs[key];
      });
    }
  }
}
