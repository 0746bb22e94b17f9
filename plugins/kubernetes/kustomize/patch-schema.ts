/**
 * The patch strategies kustomize reads from the Kubernetes 1.21 OpenAPI document built into kyaml
 * (x-kubernetes-patch-strategy: merge, with x-kubernetes-patch-merge-key or, where the schema has
 * them, x-kubernetes-list-map-keys). Only the lists merged rather than replaced are listed: every
 * other list, and every list of a kind kyaml has no schema for (a CRD), is replaced whole.
 */
export interface FieldSchema {
  readonly fields?: Readonly<Record<string, FieldSchema>>;
  /** Set on a list merged by key; `keys` empty for a list of scalars merged as a set (finalizers). */
  readonly list?: { readonly keys: readonly string[]; readonly items?: FieldSchema };
}

const mergedBy = (keys: readonly string[], items?: FieldSchema): FieldSchema => ({ list: { keys, items } });

const objectMeta: FieldSchema = { fields: { finalizers: mergedBy([]), ownerReferences: mergedBy(['uid']) } };

const container: FieldSchema = {
  fields: {
    ports: mergedBy(['containerPort', 'protocol']),
    env: mergedBy(['name']),
    volumeMounts: mergedBy(['mountPath']),
    volumeDevices: mergedBy(['devicePath']),
  },
};

const podSpec: FieldSchema = {
  fields: {
    containers: mergedBy(['name'], container),
    initContainers: mergedBy(['name'], container),
    ephemeralContainers: mergedBy(['name'], container),
    volumes: mergedBy(['name']),
    imagePullSecrets: mergedBy(['name']),
    hostAliases: mergedBy(['ip']),
    topologySpreadConstraints: mergedBy(['topologyKey', 'whenUnsatisfiable']),
  },
};

const podTemplate: FieldSchema = { fields: { metadata: objectMeta, spec: podSpec } };
const withTemplate: FieldSchema = { fields: { metadata: objectMeta, spec: { fields: { template: podTemplate } } } };
const webhooks: FieldSchema = { fields: { metadata: objectMeta, webhooks: mergedBy(['name']) } };

const KINDS: Readonly<Record<string, FieldSchema>> = {
  'apps/v1 Deployment': withTemplate,
  'apps/v1 StatefulSet': withTemplate,
  'apps/v1 DaemonSet': withTemplate,
  'apps/v1 ReplicaSet': withTemplate,
  'batch/v1 Job': withTemplate,
  'v1 ReplicationController': withTemplate,
  'batch/v1 CronJob': { fields: { metadata: objectMeta, spec: { fields: { jobTemplate: { fields: { metadata: objectMeta, spec: { fields: { template: podTemplate } } } } } } } },
  'batch/v1beta1 CronJob': { fields: { metadata: objectMeta, spec: { fields: { jobTemplate: { fields: { metadata: objectMeta, spec: { fields: { template: podTemplate } } } } } } } },
  'v1 Pod': { fields: { metadata: objectMeta, spec: podSpec } },
  'v1 PodTemplate': { fields: { metadata: objectMeta, template: podTemplate } },
  'v1 Service': { fields: { metadata: objectMeta, spec: { fields: { ports: mergedBy(['port', 'protocol']) } } } },
  'v1 ServiceAccount': { fields: { metadata: objectMeta, secrets: mergedBy(['name']) } },
  'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration': webhooks,
  'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration': webhooks,
  'admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration': webhooks,
  'admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration': webhooks,
};

const builtIn: FieldSchema = { fields: { metadata: objectMeta } };

/** The schema of an object's kind, or undefined for one Kubernetes does not define (a CRD). */
export function schemaOf(apiVersion: unknown, kind: unknown): FieldSchema | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const known = KINDS[`${apiVersion} ${kind}`];
  if (known) return known;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return !group.includes('.') || group.endsWith('.k8s.io') ? builtIn : undefined;
}
