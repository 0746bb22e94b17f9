/** Group, version and kind, as kustomize's resid.Gvk: an empty field of a selector matches anything. */
export interface Gvk {
  readonly group?: string | undefined;
  readonly version?: string | undefined;
  readonly kind?: string | undefined;
}

export function gvkOf(apiVersion: string, kind: string): Required<{ [K in keyof Gvk]: string }> {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion, kind } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

export function gvkSelects(selector: Gvk, apiVersion: string, kind: string): boolean {
  const g = gvkOf(apiVersion, kind);
  return (!selector.group || selector.group === g.group) && (!selector.version || selector.version === g.version) && (!selector.kind || selector.kind === g.kind);
}

/**
 * The apiVersion/kinds kustomize's built-in OpenAPI data (Kubernetes 1.21, beta and GA versions)
 * marks cluster-scoped, probed from `kubectl kustomize`. Any other, a newer built-in kind or a
 * custom one, is namespaced to kustomize: a `namespace:` is set on it as kustomize sets it.
 */
const CLUSTER_SCOPED = new Set([
  ...['ComponentStatus', 'Namespace', 'Node', 'PersistentVolume'].map((kind) => `v1/${kind}`),
  ...both('admissionregistration.k8s.io', ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']),
  ...both('apiextensions.k8s.io', ['CustomResourceDefinition']),
  ...both('apiregistration.k8s.io', ['APIService']),
  ...both('certificates.k8s.io', ['CertificateSigningRequest']),
  ...['FlowSchema', 'PriorityLevelConfiguration'].map((kind) => `flowcontrol.apiserver.k8s.io/v1beta1/${kind}`),
  ...both('networking.k8s.io', ['IngressClass']),
  ...both('node.k8s.io', ['RuntimeClass']),
  'policy/v1beta1/PodSecurityPolicy',
  ...both('rbac.authorization.k8s.io', ['ClusterRole', 'ClusterRoleBinding']),
  ...both('scheduling.k8s.io', ['PriorityClass']),
  ...both('storage.k8s.io', ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment']),
]);

function both(group: string, kinds: readonly string[]): string[] {
  return kinds.flatMap((kind) => [`${group}/v1/${kind}`, `${group}/v1beta1/${kind}`]);
}

export function isClusterScoped(apiVersion: string, kind: string): boolean {
  return CLUSTER_SCOPED.has(`${apiVersion}/${kind}`);
}
