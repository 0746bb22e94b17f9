import { gvkSelects } from './gvk.ts';
import { storePreviousId } from './resource.ts';
import type { Resource } from './types.ts';

// kustomize never renames these: their names are what the API server or a group requires.
const KEEP_NAME = [{ kind: 'CustomResourceDefinition' }, { group: 'apiregistration.k8s.io', kind: 'APIService' }, { kind: 'Namespace' }];

/** kustomize's PrefixTransformer or SuffixTransformer, as `namePrefix` or `nameSuffix` says. */
export function addNameAffix(resources: readonly Resource[], affix: string, where: 'prefix' | 'suffix'): void {
  for (const r of resources) {
    if (KEEP_NAME.some((skip) => gvkSelects(skip, r.origin.apiVersion, r.origin.kind))) continue;
    storePreviousId(r);
    const name = r.object.metadata.name ?? '';
    if (where === 'prefix') {
      r.prefixes.push(affix);
      r.object.metadata.name = affix + name;
    } else {
      r.suffixes.push(affix);
      r.object.metadata.name = name + affix;
    }
  }
}
