/**
 * `kubectl kustomize` in TypeScript: kustomize v5's build (api/internal/target/kusttarget.go) in its
 * order. Each kustomization accumulates its resources (files, and bases built first), runs its
 * generators, folds in its components, then runs its transformers over all of it; the root then
 * adds the generators' hash suffixes, rewrites name references to every renamed object, and sorts.
 */
import { PluginError } from '../../../shared/errors.ts';
import { type Manifest, parseManifests } from '../manifests.ts';
import { finishAnnotations, keepAnnotationTexts } from './annotation-values.ts';
import { COMMON_ANNOTATIONS, COMMON_LABELS, ONLY_METADATA_LABELS, TEMPLATE_LABELS } from './field-specs.ts';
import { generate, nameHash } from './generators.ts';
import { KUSTOMIZE_SCHEMA } from './go-timestamp.ts';
import { setImages } from './images.ts';
import { deprecations, readKustomization } from './kustomization-file.ts';
import { type LoaderOptions, kustomizationLoader } from './loader.ts';
import { setEntries } from './metadata.ts';
import { addNameAffix } from './name-affixes.ts';
import { fixNameReferences } from './name-references.ts';
import { setNamespace } from './namespace.ts';
import { applyPatches } from './patches.ts';
import { applyReplacements } from './replacements.ts';
import { setReplicas } from './replicas.ts';
import { currentId, describe, idKey, resourceOf, storePreviousId } from './resource.ts';
import { sortResources } from './sort.ts';
import type { FieldSpec, KustomizationFile, Label, Loader, Resource } from './types.ts';

export interface BuildOptions extends LoaderOptions {
  /** Told of each deprecated field a kustomization uses, as `kubectl kustomize` warns of it. */
  readonly warn?: (message: string) => void;
}

/** The objects the kustomization in `dir` (absolute) builds, in kustomize's output order. */
export function buildKustomization(dir: string, options: BuildOptions): Manifest[] {
  const loader = kustomizationLoader(dir, options);
  const k = readKustomization(loader);
  if (k.kustomization.kind === 'Component') throw new PluginError(`${k.file}: a Component is built as part of a kustomization that lists it in \`components\`, not on its own`);
  const resources = accumulate(loader, k, [], options.warn);
  for (const r of resources) {
    if (!r.hashSuffix) continue;
    storePreviousId(r);
    r.object.metadata.name = `${r.object.metadata.name}-${nameHash(r.object)}`;
  }
  fixNameReferences(resources, k.file);
  for (const r of resources) finishAnnotations(r.object);
  return sortResources(resources, k.kustomization.sortOptions).map(({ object, source }) => ({ object, source }));
}

/** kustomize's accumulateTarget: `into` already holds what a parent gathered when `k` is a component. */
function accumulate(loader: Loader, k: KustomizationFile, into: Resource[], warn: BuildOptions['warn']): Resource[] {
  for (const message of deprecations(k)) warn?.(message);
  const kz = k.kustomization;
  let resources = into;
  for (const [i, path] of (kz.resources ?? []).entries()) {
    const field = `resources[${i}]`;
    if (loader.isDirectory(path)) {
      const child = loader.child(path, field);
      const base = readKustomization(child);
      if (base.kustomization.kind === 'Component') throw new PluginError(`${k.file}: ${field}: ${path} is a Component: list it in \`components\``);
      append(resources, accumulate(child, base, [], warn), k);
    } else {
      const { text, shown } = loader.readFile(path, field);
      const manifests = parseManifests({ name: shown, text, json: /\.json$/i.test(path), schema: KUSTOMIZE_SCHEMA });
      for (const m of manifests) keepAnnotationTexts(m.object, m.source.text);
      append(resources, manifests.map(resourceOf), k);
    }
  }
  if (kz.configMapGenerator?.length || kz.secretGenerator?.length) resources = generate(resources, k, loader);
  for (const [i, path] of (kz.components ?? []).entries()) {
    const field = `components[${i}]`;
    const child = loader.child(path, field);
    const component = readKustomization(child);
    if (component.kustomization.kind !== 'Component') throw new PluginError(`${k.file}: ${field}: ${path} is not a Component (kind: Component): list it in \`resources\``);
    resources = accumulate(child, component, resources, warn);
  }
  return transform(resources, k, loader);
}

/** kustomize's builtin transformers, in the order kusttarget_configplugin.go runs them. */
function transform(input: Resource[], k: KustomizationFile, loader: Loader): Resource[] {
  const kz = k.kustomization;
  let resources = input;
  if (kz.patchesStrategicMerge?.length) resources = applyPatches(resources, k, loader, 'patchesStrategicMerge');
  if (kz.patches?.length) resources = applyPatches(resources, k, loader, 'patches');
  if (kz.namespace) setNamespace(resources, kz.namespace, k);
  if (kz.namePrefix) addNameAffix(resources, kz.namePrefix, 'prefix');
  if (kz.nameSuffix) addNameAffix(resources, kz.nameSuffix, 'suffix');
  for (const label of kz.labels ?? []) setEntries(resources, label.pairs ?? {}, labelFieldSpecs(label));
  if (kz.commonLabels) setEntries(resources, kz.commonLabels, COMMON_LABELS);
  if (kz.commonAnnotations) setEntries(resources, kz.commonAnnotations, COMMON_ANNOTATIONS);
  if (kz.patchesJson6902?.length) resources = applyPatches(resources, k, loader, 'patchesJson6902');
  if (kz.replicas?.length) setReplicas(resources, kz.replicas, k);
  if (kz.images?.length) setImages(resources, kz.images);
  if (kz.replacements?.length) resources = applyReplacements(resources, k, loader);
  return resources;
}

function labelFieldSpecs(label: Label): FieldSpec[] {
  const own = label.fields ?? [];
  if (label.includeSelectors) return [...own, ...COMMON_LABELS];
  return [...own, ...(label.includeTemplates ? TEMPLATE_LABELS : []), ...ONLY_METADATA_LABELS];
}

/** kustomize's ResMap.AppendAll: two objects of one id are an error, not one silently winning. */
function append(resources: Resource[], added: readonly Resource[], k: KustomizationFile): void {
  const byId = new Map(resources.map((r) => [idKey(currentId(r)), r]));
  for (const r of added) {
    const id = currentId(r);
    const twin = byId.get(idKey(id));
    byId.set(idKey(id), r);
    if (twin) {
      throw new PluginError(`${k.file}: ${describe(id)} is defined twice: in ${twin.source.file}:${twin.source.line} and ${r.source.file}:${r.source.line}`, {
        hint: 'Change one of them with a patch in an overlay instead of listing it again.',
      });
    }
    resources.push(r);
  }
}
