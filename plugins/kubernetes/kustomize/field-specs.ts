/**
 * kustomize v5's default field specs (api/internal/konfig/builtinpluginconsts): where each built-in
 * transformer writes, per kind. Kept as kustomize lists them, quirks included, since a difference
 * here is a difference in what is deployed.
 */
import type { Gvk } from './gvk.ts';
import type { FieldSpec } from './types.ts';

const spec = (path: string, kind: string, group?: string, version?: string, create?: boolean): FieldSpec => ({ path, kind, group, version, create });

/** Where each kind holds its pod spec, for the references in it. */
const POD_SPEC_AT: readonly (readonly [kind: string, prefix: string, version?: string])[] = [
  ['Pod', 'spec/', 'v1'],
  ['PodTemplate', 'template/spec/'],
  ['Deployment', 'spec/template/spec/'],
  ['ReplicaSet', 'spec/template/spec/'],
  ['DaemonSet', 'spec/template/spec/'],
  ['StatefulSet', 'spec/template/spec/'],
  ['Job', 'spec/template/spec/'],
  ['CronJob', 'spec/jobTemplate/spec/template/spec/'],
];

const inPodSpecs = (paths: readonly string[]): FieldSpec[] =>
  POD_SPEC_AT.flatMap(([kind, prefix, version]) => paths.map((p) => spec(prefix + p, kind, undefined, version)));

/** The kinds that hold a pod template, and where each keeps its pod spec (ServiceAccount, PVC, PriorityClass references). */
const WORKLOAD_POD_SPEC_AT: readonly (readonly [kind: string, prefix: string])[] = [
  ['Pod', 'spec/'],
  ['StatefulSet', 'spec/template/spec/'],
  ['Deployment', 'spec/template/spec/'],
  ['ReplicationController', 'spec/template/spec/'],
  ['CronJob', 'spec/jobTemplate/spec/template/spec/'],
  ['Job', 'spec/template/spec/'],
  ['DaemonSet', 'spec/template/spec/'],
];

const inWorkloads = (path: string): FieldSpec[] => WORKLOAD_POD_SPEC_AT.map(([kind, prefix]) => spec(prefix + path, kind));

export interface NameReference {
  /** The kind referred to by name. */
  readonly target: Gvk;
  /** Where referrers hold its name. */
  readonly referrers: readonly FieldSpec[];
}

const RBAC = 'rbac.authorization.k8s.io';

export const NAME_REFERENCES: readonly NameReference[] = [
  ...['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].map((kind) => ({
    target: { kind },
    referrers: [spec('spec/scaleTargetRef/name', 'HorizontalPodAutoscaler')],
  })),
  {
    target: { kind: 'ConfigMap', version: 'v1' },
    referrers: [
      ...inPodSpecs([
        'volumes/configMap/name',
        'containers/env/valueFrom/configMapKeyRef/name',
        'initContainers/env/valueFrom/configMapKeyRef/name',
        'containers/envFrom/configMapRef/name',
        'initContainers/envFrom/configMapRef/name',
        'volumes/projected/sources/configMap/name',
      ]),
      spec('spec/configSource/configMap', 'Node'),
      spec('rules/resourceNames', 'Role'),
      spec('rules/resourceNames', 'ClusterRole'),
      spec('metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap', 'Ingress'),
    ],
  },
  {
    target: { kind: 'Secret', version: 'v1' },
    referrers: [
      ...inPodSpecs([
        'volumes/secret/secretName',
        'containers/env/valueFrom/secretKeyRef/name',
        'initContainers/env/valueFrom/secretKeyRef/name',
        'containers/envFrom/secretRef/name',
        'initContainers/envFrom/secretRef/name',
        'imagePullSecrets/name',
        'volumes/projected/sources/secret/name',
      ]),
      spec('spec/tls/secretName', 'Ingress'),
      spec('metadata/annotations/ingress.kubernetes.io\\/auth-secret', 'Ingress'),
      spec('metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret', 'Ingress'),
      spec('metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret', 'Ingress'),
      spec('imagePullSecrets/name', 'ServiceAccount'),
      spec('parameters/secretName', 'StorageClass'),
      spec('parameters/adminSecretName', 'StorageClass'),
      spec('parameters/userSecretName', 'StorageClass'),
      spec('parameters/secretRef', 'StorageClass'),
      spec('rules/resourceNames', 'Role'),
      spec('rules/resourceNames', 'ClusterRole'),
      spec('spec/template/spec/containers/env/valueFrom/secretKeyRef/name', 'Service', 'serving.knative.dev', 'v1'),
      spec('spec/azureFile/secretName', 'PersistentVolume'),
    ],
  },
  {
    target: { kind: 'Service', version: 'v1' },
    referrers: [
      spec('spec/serviceName', 'StatefulSet', 'apps'),
      spec('spec/rules/http/paths/backend/serviceName', 'Ingress'),
      spec('spec/backend/serviceName', 'Ingress'),
      spec('spec/rules/http/paths/backend/service/name', 'Ingress'),
      spec('spec/defaultBackend/service/name', 'Ingress'),
      spec('spec/service/name', 'APIService', 'apiregistration.k8s.io'),
      spec('webhooks/clientConfig/service', 'ValidatingWebhookConfiguration', 'admissionregistration.k8s.io'),
      spec('webhooks/clientConfig/service', 'MutatingWebhookConfiguration', 'admissionregistration.k8s.io'),
    ],
  },
  { target: { kind: 'Role', group: RBAC }, referrers: [spec('roleRef/name', 'RoleBinding', RBAC)] },
  { target: { kind: 'ClusterRole', group: RBAC }, referrers: [spec('roleRef/name', 'RoleBinding', RBAC), spec('roleRef/name', 'ClusterRoleBinding', RBAC)] },
  {
    target: { kind: 'ServiceAccount', version: 'v1' },
    referrers: [
      spec('subjects', 'RoleBinding', RBAC),
      spec('subjects', 'ClusterRoleBinding', RBAC),
      spec('spec/serviceAccountName', 'Pod'),
      ...inWorkloads('serviceAccountName').filter((s) => s.kind !== 'Pod'),
    ],
  },
  { target: { kind: 'PersistentVolumeClaim', version: 'v1' }, referrers: inWorkloads('volumes/persistentVolumeClaim/claimName') },
  { target: { kind: 'PersistentVolume', version: 'v1' }, referrers: [spec('spec/volumeName', 'PersistentVolumeClaim'), spec('rules/resourceNames', 'ClusterRole')] },
  {
    target: { kind: 'StorageClass', version: 'v1', group: 'storage.k8s.io' },
    referrers: [
      spec('spec/storageClassName', 'PersistentVolume'),
      spec('spec/storageClassName', 'PersistentVolumeClaim'),
      spec('spec/volumeClaimTemplates/spec/storageClassName', 'StatefulSet'),
    ],
  },
  { target: { kind: 'PriorityClass', version: 'v1', group: 'scheduling.k8s.io' }, referrers: inWorkloads('priorityClassName') },
  // kustomize writes this group with its version, so it never matches an IngressClass.
  { target: { kind: 'IngressClass', version: 'v1', group: 'networking.k8s.io/v1' }, referrers: [spec('spec/ingressClassName', 'Ingress')] },
];

const APPS = 'apps';
const BATCH = 'batch';

/** Pod-template labels and annotations, as `metadataLabelsFieldSpecs` and `commonAnnotationFieldSpecs`. */
function templateMetadata(field: 'labels' | 'annotations'): FieldSpec[] {
  return [
    spec(`spec/template/metadata/${field}`, 'ReplicationController', undefined, 'v1', true),
    spec(`spec/template/metadata/${field}`, 'Deployment', undefined, undefined, true),
    spec(`spec/template/metadata/${field}`, 'ReplicaSet', undefined, undefined, true),
    spec(`spec/template/metadata/${field}`, 'DaemonSet', undefined, undefined, true),
    spec(`spec/template/metadata/${field}`, 'StatefulSet', field === 'labels' ? APPS : undefined, undefined, true),
    ...(field === 'labels' ? [spec('spec/volumeClaimTemplates[]/metadata/labels', 'StatefulSet', APPS, undefined, true)] : []),
    spec(`spec/template/metadata/${field}`, 'Job', BATCH, undefined, true),
    spec(`spec/jobTemplate/metadata/${field}`, 'CronJob', BATCH, undefined, true),
    spec(`spec/jobTemplate/spec/template/metadata/${field}`, 'CronJob', BATCH, undefined, true),
  ];
}

const METADATA_LABELS: FieldSpec = { path: 'metadata/labels', create: true };

/** `labels` with `includeTemplates`: the object's and its pod templates' labels. */
export const TEMPLATE_LABELS: readonly FieldSpec[] = templateMetadata('labels');

export const ONLY_METADATA_LABELS: readonly FieldSpec[] = [METADATA_LABELS];

const affinitySelectors = (kind: string): FieldSpec[] =>
  [
    'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
    'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
    'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
    'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
    'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels',
  ].map((path) => spec(path, kind, APPS, undefined, false));

/** `commonLabels`, and `labels` with `includeSelectors`: selectors too. */
export const COMMON_LABELS: readonly FieldSpec[] = [
  spec('spec/selector', 'Service', undefined, 'v1', true),
  spec('spec/selector', 'ReplicationController', undefined, 'v1', true),
  spec('spec/selector/matchLabels', 'Deployment', undefined, undefined, true),
  ...affinitySelectors('Deployment'),
  spec('spec/selector/matchLabels', 'ReplicaSet', undefined, undefined, true),
  spec('spec/selector/matchLabels', 'DaemonSet', undefined, undefined, true),
  spec('spec/selector/matchLabels', 'StatefulSet', APPS, undefined, true),
  spec('spec/volumeClaimTemplates[]/metadata/labels', 'StatefulSet', APPS, undefined, true),
  ...affinitySelectors('StatefulSet'),
  spec('spec/selector/matchLabels', 'Job', BATCH, undefined, false),
  spec('spec/jobTemplate/spec/selector/matchLabels', 'CronJob', BATCH, undefined, false),
  spec('spec/selector/matchLabels', 'PodDisruptionBudget', 'policy', undefined, false),
  spec('spec/podSelector/matchLabels', 'NetworkPolicy', 'networking.k8s.io', undefined, false),
  spec('spec/ingress/from/podSelector/matchLabels', 'NetworkPolicy', 'networking.k8s.io', undefined, false),
  spec('spec/egress/to/podSelector/matchLabels', 'NetworkPolicy', 'networking.k8s.io', undefined, false),
  METADATA_LABELS,
  ...TEMPLATE_LABELS,
];

export const COMMON_ANNOTATIONS: readonly FieldSpec[] = [{ path: 'metadata/annotations', create: true }, ...templateMetadata('annotations')];

export const REPLICAS: readonly FieldSpec[] = ['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].map((kind) =>
  spec('spec/replicas', kind, undefined, undefined, true),
);
