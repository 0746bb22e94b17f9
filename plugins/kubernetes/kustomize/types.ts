import type { KubeObject, Source } from '../manifests.ts';

/**
 * A kustomization file as written, with every field kustomize v5 knows (sigs.k8s.io/kustomize/api
 * types.Kustomization), so a field this build does not support is named in an error instead of
 * being ignored, and a field kustomize itself does not know is refused as kustomize refuses it.
 * `bases` is folded into `resources` and `commonLabels` kept apart from `labels`, as kustomize does.
 */
export interface Kustomization {
  apiVersion?: string;
  kind?: 'Kustomization' | 'Component';
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  openapi?: Record<string, string>;

  namePrefix?: string;
  nameSuffix?: string;
  namespace?: string;
  commonLabels?: Record<string, string>;
  labels?: Label[];
  commonAnnotations?: Record<string, string>;
  /** A path, or a patch written inline. */
  patchesStrategicMerge?: string[];
  patchesJson6902?: Patch[];
  patches?: Patch[];
  images?: Image[];
  replacements?: ReplacementField[];
  replicas?: Replica[];
  sortOptions?: SortOptions;

  resources?: string[];
  components?: string[];
  crds?: string[];
  bases?: string[];

  configMapGenerator?: ConfigMapArgs[];
  secretGenerator?: SecretArgs[];
  generatorOptions?: GeneratorOptions;

  // Known to kustomize, refused here: each needs a binary, a network or a plugin.
  vars?: unknown[];
  helmGlobals?: unknown;
  helmCharts?: unknown[];
  helmChartInflationGenerator?: unknown[];
  configurations?: string[];
  generators?: string[];
  transformers?: string[];
  validators?: string[];
  inventory?: unknown;
  buildMetadata?: string[];
}

/** Every top-level field kustomize v5 accepts in a kustomization file. */
export const KUSTOMIZATION_FIELDS = [
  'apiVersion',
  'kind',
  'metadata',
  'openapi',
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'patchesStrategicMerge',
  'patchesJson6902',
  'patches',
  'images',
  'replacements',
  'replicas',
  'sortOptions',
  'resources',
  'components',
  'crds',
  'bases',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'vars',
  'helmGlobals',
  'helmCharts',
  'helmChartInflationGenerator',
  'configurations',
  'generators',
  'transformers',
  'validators',
  'inventory',
  'buildMetadata',
] as const satisfies readonly (keyof Kustomization)[];

export interface Label {
  pairs?: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
  fields?: FieldSpec[];
}

/** Where in which kinds a transformer writes: kustomize's FieldSpec. */
export interface FieldSpec {
  group?: string;
  version?: string;
  kind?: string;
  /** Slash-separated; `[]` steps into every item of a list. */
  path: string;
  create?: boolean;
}

/** A `patches` or `patchesJson6902` entry: `path` or `patch`, strategic merge or JSON 6902. */
export interface Patch {
  path?: string;
  patch?: string;
  target?: Selector;
  options?: { allowNameChange?: boolean; allowKindChange?: boolean };
}

/** kustomize's types.Selector: each field narrows; name and namespace are anchored regexes. */
export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export interface Image {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  tagSuffix?: string;
}

export interface Replica {
  name: string;
  count: number;
}

/** A replacement written inline, or the path of a file holding some. */
export interface ReplacementField {
  path?: string;
  source?: Record<string, unknown>;
  targets?: Record<string, unknown>[];
}

export interface SortOptions {
  order?: 'legacy' | 'fifo';
  legacySortOptions?: { orderFirst?: string[]; orderLast?: string[] };
}

export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

export type Behavior = 'create' | 'replace' | 'merge';

export interface GeneratorArgs {
  name?: string;
  namespace?: string;
  behavior?: Behavior;
  literals?: string[];
  files?: string[];
  envs?: string[];
  /** Deprecated singular of `envs`, still read by kustomize v5. */
  env?: string;
  options?: GeneratorOptions;
}

export type ConfigMapArgs = GeneratorArgs;

export interface SecretArgs extends GeneratorArgs {
  type?: string;
}

/** A kustomization read from its directory: the parsed fields and where they were written. */
export interface KustomizationFile {
  readonly kustomization: Kustomization;
  /** The file as shown in messages (relative to the workspace): `deploy/overlays/prod/kustomization.yaml`. */
  readonly file: string;
  /** Its text after `${VAR}` and Handlebars, to find a field's line (source-line.ts). */
  readonly text: string;
}

/** What kustomize identifies an object by: its group/version/kind, namespace and name. */
export interface ResId {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Undefined for an object that names no namespace (cluster-scoped, or namespaced by default). */
  readonly namespace: string | undefined;
}

/**
 * An object on its way through the build, with what kustomize keeps beside it. Transformers change
 * `object` in place; the rest says where it came from and how names referring to it are rewritten.
 */
export interface Resource {
  object: KubeObject;
  /** The file (and document) it was read from, or the kustomization file whose generator made it. */
  readonly source: Source;
  /** Its id when loaded or generated: references to it in other objects are written with this name. */
  readonly origin: ResId;
  /**
   * Its ids before each rename (prefix, suffix, namespace, a patch changing its name), oldest first,
   * as kustomize's previousNames/previousNamespaces annotations: a referral written in a base matches
   * an earlier one.
   */
  readonly previous: ResId[];
  /** Name prefixes and suffixes applied, outermost last: a reference is only rewritten when its referrer's match. */
  readonly prefixes: string[];
  readonly suffixes: string[];
  /** A generated ConfigMap or Secret whose name takes the content hash at the end of the build. */
  hashSuffix: boolean;
}

/** Where files come from, relative to one kustomization's directory. */
export interface Loader {
  /** The kustomization's directory, absolute. */
  readonly root: string;
  /** The kustomization file, as shown in messages. */
  readonly file: string;
  /**
   * A file's text, `${VAR}` and Handlebars applied. `field` is the kustomization field that names it
   * (`resources`, `patches[0].path` ...), for the error when it is missing, too large, or outside the
   * root tree under `load_restrictor: rootOnly`.
   */
  readFile(path: string, field: string): { readonly text: string; readonly shown: string };
  /**
   * A generator's data file (configMapGenerator/secretGenerator `files` and `envs`) as its bytes:
   * not rendered, since such files hold other tools' `${...}` and `{{ }}`, and may be binary.
   */
  readData(path: string, field: string): { readonly bytes: Buffer; readonly shown: string };
  /** Whether `path` (relative to `root`) is a directory: a base or component, built by a `child` loader, rather than a file. */
  isDirectory(path: string): boolean;
  /** A loader for the kustomization in a base or component directory, with that directory as its root. */
  child(path: string, field: string): Loader;
}

export type LoadRestrictor = 'rootOnly' | 'none';
