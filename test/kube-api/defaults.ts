// Server-side defaulting for the built-in kinds a deploy touches, with the values recorded from 1.36
// (03 Deployment, 15 Job, 16 Service/Secret/Namespace). Defaults only fill fields that are absent.
import { isObj } from './fields.ts';

type Obj = Record<string, unknown>;

function obj(parent: Obj, key: string): Obj {
  if (!isObj(parent[key])) parent[key] = {};
  return parent[key] as Obj;
}

function def(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

function imagePullPolicy(image: unknown): string {
  const ref = typeof image === 'string' ? image : '';
  if (ref.includes('@')) return 'IfNotPresent';
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash + 1);
  return colon < 0 || ref.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainers(list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const c of list) {
    if (!isObj(c)) continue;
    if (Array.isArray(c.ports)) for (const p of c.ports) if (isObj(p)) def(p, 'protocol', 'TCP');
    def(c, 'resources', {});
    def(c, 'terminationMessagePath', '/dev/termination-log');
    def(c, 'terminationMessagePolicy', 'File');
    def(c, 'imagePullPolicy', imagePullPolicy(c.image));
  }
}

function defaultPodSpec(spec: Obj): void {
  defaultContainers(spec.initContainers);
  defaultContainers(spec.containers);
  def(spec, 'restartPolicy', 'Always');
  def(spec, 'terminationGracePeriodSeconds', 30);
  def(spec, 'dnsPolicy', 'ClusterFirst');
  def(spec, 'securityContext', {});
  def(spec, 'schedulerName', 'default-scheduler');
}

function defaultTemplate(spec: Obj): void {
  const template = obj(spec, 'template');
  obj(template, 'metadata');
  defaultPodSpec(obj(template, 'spec'));
}

let nextClusterIp = 1;

export function applyDefaults(group: string, kind: string, o: Obj): void {
  const spec = isObj(o.spec) ? o.spec : undefined;
  switch (`${group}/${kind}`) {
    case '/Namespace': {
      const meta = obj(o, 'metadata');
      obj(meta, 'labels')['kubernetes.io/metadata.name'] = meta.name;
      def(obj(o, 'spec'), 'finalizers', ['kubernetes']);
      def(obj(o, 'status'), 'phase', 'Active');
      return;
    }
    case '/Secret': {
      def(o, 'type', 'Opaque');
      if (isObj(o.stringData)) {
        const data = obj(o, 'data');
        for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
      }
      delete o.stringData;
      return;
    }
    case '/Service': {
      const s = obj(o, 'spec');
      def(s, 'type', 'ClusterIP');
      if (Array.isArray(s.ports)) {
        for (const p of s.ports) {
          if (!isObj(p)) continue;
          def(p, 'protocol', 'TCP');
          def(p, 'targetPort', p.port);
        }
      }
      if (s.type !== 'ExternalName') {
        if (s.clusterIP === undefined) {
          const n = nextClusterIp++;
          s.clusterIP = `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
        }
        def(s, 'clusterIPs', s.clusterIP === 'None' ? ['None'] : [s.clusterIP]);
        def(s, 'ipFamilies', ['IPv4']);
        def(s, 'ipFamilyPolicy', 'SingleStack');
        def(s, 'internalTrafficPolicy', 'Cluster');
      }
      def(s, 'sessionAffinity', 'None');
      if (s.type === 'NodePort' || s.type === 'LoadBalancer') {
        def(s, 'externalTrafficPolicy', 'Cluster');
        for (const p of (s.ports as Obj[]) ?? []) def(p, 'nodePort', 30000 + (nextClusterIp++ % 2767));
      }
      def(obj(o, 'status'), 'loadBalancer', {});
      return;
    }
    case '/Pod':
      if (spec) defaultPodSpec(spec);
      def(o, 'status', {});
      return;
    case 'apps/Deployment':
      if (!spec) return;
      def(spec, 'replicas', 1);
      defaultTemplate(spec);
      if (!isObj(spec.strategy)) spec.strategy = { type: 'RollingUpdate' };
      if ((spec.strategy as Obj).type === 'RollingUpdate') {
        def(obj(spec.strategy as Obj, 'rollingUpdate'), 'maxUnavailable', '25%');
        def((spec.strategy as Obj).rollingUpdate as Obj, 'maxSurge', '25%');
      }
      def(spec, 'revisionHistoryLimit', 10);
      def(spec, 'progressDeadlineSeconds', 600);
      def(o, 'status', {});
      return;
    case 'apps/ReplicaSet':
      if (!spec) return;
      def(spec, 'replicas', 1);
      defaultTemplate(spec);
      def(o, 'status', { replicas: 0 });
      return;
    case 'apps/StatefulSet':
      if (!spec) return;
      def(spec, 'replicas', 1);
      defaultTemplate(spec);
      def(spec, 'podManagementPolicy', 'OrderedReady');
      def(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
      def(spec, 'revisionHistoryLimit', 10);
      def(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
      def(o, 'status', { replicas: 0, availableReplicas: 0 });
      return;
    case 'apps/DaemonSet':
      if (!spec) return;
      defaultTemplate(spec);
      def(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
      def(spec, 'revisionHistoryLimit', 10);
      def(o, 'status', { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
      return;
    case 'batch/Job':
      if (spec) defaultJobSpec(spec, o);
      def(o, 'status', {});
      return;
    case 'batch/CronJob':
      if (!spec) return;
      def(spec, 'concurrencyPolicy', 'Allow');
      def(spec, 'suspend', false);
      def(spec, 'successfulJobsHistoryLimit', 3);
      def(spec, 'failedJobsHistoryLimit', 1);
      if (isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec)) defaultTemplate(spec.jobTemplate.spec);
      def(o, 'status', {});
      return;
    case 'apiextensions.k8s.io/CustomResourceDefinition': {
      if (!spec) return;
      def(spec, 'conversion', { strategy: 'None' });
      const versions = Array.isArray(spec.versions) ? (spec.versions as Obj[]) : [];
      def(o, 'status', {
        conditions: null,
        acceptedNames: { plural: '', kind: '' },
        storedVersions: versions.filter((v) => v.storage).map((v) => v.name),
      });
      return;
    }
  }
}

function defaultJobSpec(spec: Obj, job: Obj): void {
  const meta = job.metadata as Obj;
  const uid = meta.uid as string;
  def(spec, 'parallelism', 1);
  if (spec.completions === undefined && spec.parallelism === 1) spec.completions = 1;
  def(spec, 'backoffLimit', 6);
  if (!spec.manualSelector) {
    def(spec, 'selector', { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    def(spec, 'manualSelector', false);
    const labels = obj(obj(obj(spec, 'template'), 'metadata'), 'labels');
    def(labels, 'batch.kubernetes.io/controller-uid', uid);
    def(labels, 'batch.kubernetes.io/job-name', meta.name);
    def(labels, 'controller-uid', uid);
    def(labels, 'job-name', meta.name);
  }
  defaultTemplate(spec);
  def(spec, 'completionMode', 'NonIndexed');
  def(spec, 'suspend', false);
  def(spec, 'podReplacementPolicy', 'TerminatingOrFailed');
}
