// A small slice of the Kubernetes OpenAPI schema: enough structure to compute server-side-apply field sets
// (list keys, atomic fields) and to reject unknown fields and wrong types the way the typed merge does.
// Structs marked `open` stand for types that are not modelled field by field: anything is accepted below them.
export type Schema =
  | { t: 'scalar'; type: 'string' | 'int' | 'number' | 'bool' | 'intOrString' | 'quantity' }
  | { t: 'struct'; fields: Record<string, Schema>; open?: boolean; atomic?: boolean; rest?: Schema }
  | { t: 'map'; values: Schema; atomic?: boolean }
  | { t: 'list'; items: Schema; type: 'atomic' | 'set' | 'map'; keys?: string[]; keyDefaults?: Record<string, unknown> }
  // untyped data (x-kubernetes-preserve-unknown-fields): maps are tracked as maps, lists as atomic values
  | { t: 'deduced' };

const str: Schema = { t: 'scalar', type: 'string' };
const int: Schema = { t: 'scalar', type: 'int' };
const bool: Schema = { t: 'scalar', type: 'bool' };
const ios: Schema = { t: 'scalar', type: 'intOrString' };
const quantity: Schema = { t: 'scalar', type: 'quantity' };
const open: Schema = { t: 'struct', fields: {}, open: true };
export const deduced: Schema = { t: 'deduced' };
const strMap: Schema = { t: 'map', values: str };
const strList: Schema = { t: 'list', items: str, type: 'atomic' };
const struct = (fields: Record<string, Schema>): Schema => ({ t: 'struct', fields });
const atomicStruct = (fields: Record<string, Schema>): Schema => ({ t: 'struct', fields, atomic: true });
const listMap = (keys: string[], items: Schema, keyDefaults?: Record<string, unknown>): Schema => ({ t: 'list', items, type: 'map', keys, keyDefaults });
const atomicList = (items: Schema): Schema => ({ t: 'list', items, type: 'atomic' });

const labelSelector = atomicStruct({
  matchLabels: strMap,
  matchExpressions: atomicList(struct({ key: str, operator: str, values: strList })),
});

const ownerReference = struct({ apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool });

export const objectMeta = struct({
  name: str,
  generateName: str,
  namespace: str,
  selfLink: str,
  uid: str,
  resourceVersion: str,
  generation: int,
  creationTimestamp: str,
  deletionTimestamp: str,
  deletionGracePeriodSeconds: int,
  labels: strMap,
  annotations: strMap,
  ownerReferences: listMap(['uid'], ownerReference),
  finalizers: { t: 'list', items: str, type: 'set' },
  managedFields: atomicList(open),
});

const resources = struct({ limits: { t: 'map', values: quantity }, requests: { t: 'map', values: quantity }, claims: atomicList(open) });

const envVar = struct({ name: str, value: str, valueFrom: open });
const probe = open;
const container = struct({
  name: str,
  image: str,
  command: strList,
  args: strList,
  workingDir: str,
  ports: listMap(['containerPort', 'protocol'], struct({ name: str, hostPort: int, containerPort: int, protocol: str, hostIP: str }), {
    protocol: 'TCP',
  }),
  envFrom: atomicList(open),
  env: listMap(['name'], envVar),
  resources,
  resizePolicy: atomicList(open),
  restartPolicy: str,
  restartPolicyRules: atomicList(open),
  volumeMounts: listMap(['mountPath'], struct({ name: str, readOnly: bool, recursiveReadOnly: str, mountPath: str, subPath: str, mountPropagation: str, subPathExpr: str })),
  volumeDevices: listMap(['devicePath'], open),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: open,
  terminationMessagePath: str,
  terminationMessagePolicy: str,
  imagePullPolicy: str,
  securityContext: open,
  stdin: bool,
  stdinOnce: bool,
  tty: bool,
});

const podSpec = struct({
  volumes: listMap(['name'], open),
  initContainers: listMap(['name'], container),
  containers: listMap(['name'], container),
  ephemeralContainers: listMap(['name'], open),
  restartPolicy: str,
  terminationGracePeriodSeconds: int,
  activeDeadlineSeconds: int,
  dnsPolicy: str,
  nodeSelector: { t: 'map', values: str, atomic: true },
  serviceAccountName: str,
  serviceAccount: str,
  automountServiceAccountToken: bool,
  nodeName: str,
  hostNetwork: bool,
  hostPID: bool,
  hostIPC: bool,
  shareProcessNamespace: bool,
  securityContext: open,
  imagePullSecrets: listMap(['name'], struct({ name: str })),
  hostname: str,
  subdomain: str,
  affinity: open,
  schedulerName: str,
  tolerations: atomicList(open),
  hostAliases: listMap(['ip'], open),
  priorityClassName: str,
  priority: int,
  dnsConfig: open,
  readinessGates: atomicList(open),
  runtimeClassName: str,
  enableServiceLinks: bool,
  preemptionPolicy: str,
  overhead: { t: 'map', values: quantity },
  topologySpreadConstraints: listMap(['topologyKey', 'whenUnsatisfiable'], open),
  setHostnameAsFQDN: bool,
  os: open,
  hostUsers: bool,
  schedulingGates: listMap(['name'], open),
  resourceClaims: listMap(['name'], open),
  resources: open,
  hostnameOverride: str,
});

const podTemplate = struct({ metadata: objectMeta, spec: podSpec });
const conditions = listMap(['type'], open);

const podStatus = struct({
  observedGeneration: int,
  phase: str,
  conditions,
  message: str,
  reason: str,
  nominatedNodeName: str,
  hostIP: str,
  hostIPs: listMap(['ip'], open),
  podIP: str,
  podIPs: listMap(['ip'], open),
  startTime: str,
  initContainerStatuses: atomicList(open),
  containerStatuses: atomicList(open),
  qosClass: str,
  ephemeralContainerStatuses: atomicList(open),
  resize: str,
  resourceClaimStatuses: listMap(['name'], open),
  extendedResourceClaimStatus: open,
});

const rollingStatus: Schema = { t: 'struct', fields: { conditions }, open: true };

const top = (spec: Schema, status: Schema = rollingStatus): Schema =>
  struct({ apiVersion: str, kind: str, metadata: objectMeta, spec, status });

const deploymentSpec = struct({
  replicas: int,
  selector: labelSelector,
  template: podTemplate,
  strategy: struct({ type: str, rollingUpdate: struct({ maxUnavailable: ios, maxSurge: ios }) }),
  minReadySeconds: int,
  revisionHistoryLimit: int,
  paused: bool,
  progressDeadlineSeconds: int,
});

const jobSpec = struct({
  parallelism: int,
  completions: int,
  activeDeadlineSeconds: int,
  podFailurePolicy: open,
  successPolicy: open,
  backoffLimit: int,
  backoffLimitPerIndex: int,
  maxFailedIndexes: int,
  selector: labelSelector,
  manualSelector: bool,
  template: podTemplate,
  ttlSecondsAfterFinished: int,
  completionMode: str,
  suspend: bool,
  podReplacementPolicy: str,
  managedBy: str,
});

const roleRef = atomicStruct({ apiGroup: str, kind: str, name: str });

const servicePort = struct({ name: str, protocol: str, appProtocol: str, port: int, targetPort: ios, nodePort: int });

export const builtinSchemas: Record<string, Schema> = {
  '/ConfigMap': struct({ apiVersion: str, kind: str, metadata: objectMeta, immutable: bool, data: strMap, binaryData: strMap }),
  '/Secret': struct({ apiVersion: str, kind: str, metadata: objectMeta, immutable: bool, data: strMap, stringData: strMap, type: str }),
  '/Namespace': top(struct({ finalizers: strList })),
  '/ServiceAccount': struct({
    apiVersion: str,
    kind: str,
    metadata: objectMeta,
    secrets: listMap(['name'], open),
    imagePullSecrets: atomicList(open),
    automountServiceAccountToken: bool,
  }),
  '/Service': top(
    struct({
      ports: listMap(['port', 'protocol'], servicePort, { protocol: 'TCP' }),
      selector: { t: 'map', values: str, atomic: true },
      clusterIP: str,
      clusterIPs: strList,
      type: str,
      externalIPs: strList,
      sessionAffinity: str,
      loadBalancerIP: str,
      loadBalancerSourceRanges: strList,
      externalName: str,
      externalTrafficPolicy: str,
      healthCheckNodePort: int,
      publishNotReadyAddresses: bool,
      sessionAffinityConfig: open,
      ipFamilies: strList,
      ipFamilyPolicy: str,
      allocateLoadBalancerNodePorts: bool,
      loadBalancerClass: str,
      internalTrafficPolicy: str,
      trafficDistribution: str,
    }),
  ),
  '/Pod': top(podSpec, podStatus),
  'apps/Deployment': top(deploymentSpec),
  'apps/ReplicaSet': top(struct({ replicas: int, minReadySeconds: int, selector: labelSelector, template: podTemplate })),
  'apps/StatefulSet': top(
    struct({
      replicas: int,
      selector: labelSelector,
      template: podTemplate,
      volumeClaimTemplates: atomicList(open),
      serviceName: str,
      podManagementPolicy: str,
      updateStrategy: open,
      revisionHistoryLimit: int,
      minReadySeconds: int,
      persistentVolumeClaimRetentionPolicy: open,
      ordinals: open,
    }),
  ),
  'apps/DaemonSet': top(
    struct({ selector: labelSelector, template: podTemplate, updateStrategy: open, minReadySeconds: int, revisionHistoryLimit: int }),
  ),
  'batch/Job': top(jobSpec),
  'batch/CronJob': top(
    struct({
      schedule: str,
      timeZone: str,
      startingDeadlineSeconds: int,
      concurrencyPolicy: str,
      suspend: bool,
      jobTemplate: struct({ metadata: objectMeta, spec: jobSpec }),
      successfulJobsHistoryLimit: int,
      failedJobsHistoryLimit: int,
    }),
  ),
  'rbac.authorization.k8s.io/Role': struct({ apiVersion: str, kind: str, metadata: objectMeta, rules: atomicList(open) }),
  'rbac.authorization.k8s.io/ClusterRole': struct({ apiVersion: str, kind: str, metadata: objectMeta, rules: atomicList(open), aggregationRule: open }),
  'rbac.authorization.k8s.io/RoleBinding': struct({ apiVersion: str, kind: str, metadata: objectMeta, subjects: atomicList(open), roleRef }),
  'rbac.authorization.k8s.io/ClusterRoleBinding': struct({ apiVersion: str, kind: str, metadata: objectMeta, subjects: atomicList(open), roleRef }),
  'apiextensions.k8s.io/CustomResourceDefinition': top(
    struct({
      group: str,
      names: struct({ plural: str, singular: str, shortNames: strList, kind: str, listKind: str, categories: strList }),
      scope: str,
      versions: atomicList(open),
      conversion: open,
      preserveUnknownFields: bool,
    }),
  ),
};

/** The schema of a field or map value; undefined when the field is not declared. */
export function child(schema: Schema | undefined, key: string): Schema | undefined {
  if (!schema) return undefined;
  if (schema.t === 'struct') return schema.fields[key] ?? schema.rest ?? (schema.open ? open : undefined);
  if (schema.t === 'map') return schema.values;
  if (schema.t === 'deduced') return schema;
  return undefined;
}


// Go's %v of the unstructured value, as quoted in typed-merge errors ("&value.valueUnstructured{Value:12}").
function goValue(v: unknown): string {
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `map[${entries.map(([k, x]) => `${k}:${goValue(x)}`).join(' ')}]`;
  }
  return String(v);
}

function typeError(expected: string, v: unknown): string {
  return `expected ${expected}, got &value.valueUnstructured{Value:${goValue(v)}}`;
}

function scalarOk(type: string, v: unknown): string | undefined {
  switch (type) {
    case 'string':
      return typeof v === 'string' ? undefined : typeError('string', v);
    case 'int':
    case 'number':
      return typeof v === 'number' ? undefined : typeError('numeric (int or float)', v);
    case 'bool':
      return typeof v === 'boolean' ? undefined : typeError('boolean', v);
    default:
      return typeof v === 'string' || typeof v === 'number' ? undefined : typeError('string or numeric', v);
  }
}

interface TypeProblem {
  /** ".spec.template.spec.containers[name=\"app\"].image" as the typed merge names it */
  path: string;
  /** "spec.template.spec.containers[0].image" as strict decoding names it */
  indexPath: string;
  message: string;
  unknown: boolean;
}

/** Walks an object against a schema; reports unknown fields (closed structs) and type mismatches. */
export function checkTypes(schema: Schema, value: unknown): TypeProblem[] {
  const problems: TypeProblem[] = [];
  const walk = (s: Schema, v: unknown, path: string, indexPath: string) => {
    if (v === null || v === undefined) return;
    const join = (k: string) => (indexPath ? `${indexPath}.${k}` : k);
    switch (s.t) {
      case 'deduced':
        return;
      case 'scalar': {
        const err = scalarOk(s.type, v);
        if (err) problems.push({ path, indexPath, message: err, unknown: false });
        return;
      }
      case 'struct':
      case 'map': {
        // types that are not modelled field by field accept any value
        if (s.t === 'struct' && s.open && !s.rest && Object.keys(s.fields).length === 0) return;
        if (typeof v !== 'object' || Array.isArray(v)) {
          problems.push({ path, indexPath, message: typeError('map', v), unknown: false });
          return;
        }
        for (const [k, x] of Object.entries(v)) {
          const c = child(s, k);
          if (!c) {
            problems.push({ path: `${path}.${k}`, indexPath: join(k), message: 'field not declared in schema', unknown: true });
            continue;
          }
          walk(c, x, `${path}.${k}`, join(k));
        }
        return;
      }
      case 'list': {
        if (!Array.isArray(v)) {
          problems.push({ path, indexPath, message: typeError('list', v), unknown: false });
          return;
        }
        v.forEach((item, i) => {
          let seg = `[${i}]`;
          if (s.type === 'map' && s.keys && item && typeof item === 'object') {
            const rec = item as Record<string, unknown>;
            seg = `[${s.keys
              .filter((k) => rec[k] !== undefined)
              .map((k) => `${k}=${JSON.stringify(rec[k])}`)
              .join(',')}]`;
          }
          walk(s.items, item, `${path}${seg}`, `${indexPath}[${i}]`);
        });
      }
    }
  };
  walk(schema, value, '', '');
  return problems;
}

/** Drops fields a schema does not declare (what strict decoding warns about and what CRD pruning does). */
export function prune(schema: Schema, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (schema.t === 'list' && Array.isArray(value)) return value.map((x) => prune(schema.items, x));
  if ((schema.t === 'struct' || schema.t === 'map') && !Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value)) {
      const c = child(schema, k);
      if (c) out[k] = prune(c, x);
    }
    return out;
  }
  return value;
}

interface OpenApi {
  type?: string;
  properties?: Record<string, OpenApi>;
  items?: OpenApi;
  additionalProperties?: OpenApi | boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-embedded-resource'?: boolean;
}

/** Converts a CRD version's openAPIV3Schema into the schema used for custom resources of that version. */
export function fromOpenApi(root: OpenApi | undefined): Schema {
  const conv = (s: OpenApi | undefined): Schema => {
    if (!s) return deduced;
    if (s['x-kubernetes-int-or-string']) return ios;
    switch (s.type) {
      case 'string':
        return str;
      case 'integer':
        return int;
      case 'number':
        return { t: 'scalar', type: 'number' };
      case 'boolean':
        return bool;
      case 'array': {
        const lt = s['x-kubernetes-list-type'];
        if (lt === 'map') return listMap(s['x-kubernetes-list-map-keys'] ?? [], conv(s.items));
        return { t: 'list', items: conv(s.items), type: lt === 'set' ? 'set' : 'atomic' };
      }
      case 'object': {
        if (s.properties || s['x-kubernetes-preserve-unknown-fields']) {
          const fields: Record<string, Schema> = {};
          for (const [k, v] of Object.entries(s.properties ?? {})) fields[k] = conv(v);
          if (s['x-kubernetes-preserve-unknown-fields']) return { t: 'struct', fields, rest: deduced };
          return { t: 'struct', fields, atomic: s['x-kubernetes-map-type'] === 'atomic' };
        }
        if (s.additionalProperties && typeof s.additionalProperties === 'object') return { t: 'map', values: conv(s.additionalProperties) };
        return deduced;
      }
      default:
        return deduced;
    }
  };
  const base = conv(root);
  const fields = base.t === 'struct' ? { ...base.fields } : {};
  fields.apiVersion = str;
  fields.kind = str;
  fields.metadata = objectMeta;
  return { t: 'struct', fields, rest: base.t === 'struct' ? base.rest : deduced };
}
