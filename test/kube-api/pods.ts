// pods/log: the apiserver proxies logs from the kubelet. Unbound pods have no kubelet, hence 204 (recording 05);
// pods "run" by the emulated kubelet get a few generated lines.
import type { Cluster } from './cluster.ts';
import type { Ctx, Send } from './http.ts';
import { badRequest, notFound } from './status.ts';
import { meta, type Obj } from './store.ts';

export function podLog(cluster: Cluster, ctx: Ctx, namespace: string, name: string, send: Send) {
  const pods = cluster.info('', 'pods');
  const pod = cluster.store.get(pods, namespace, name);
  if (!pod) throw notFound({ group: '', resource: 'pods', kind: 'Pod', name });
  const q = ctx.url.searchParams;
  const spec = (pod.spec ?? {}) as Obj;
  const containers = ((spec.containers as Obj[] | undefined) ?? []).map((c) => String(c.name));
  let container = q.get('container');
  if (container === null) {
    if (containers.length !== 1) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
    container = containers[0]!;
  }
  if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  if (!spec.nodeName) return send(ctx, 204, undefined);
  const statuses = (((pod.status ?? {}) as Obj).containerStatuses as Obj[] | undefined) ?? [];
  const cs = statuses.find((s) => s.name === container);
  const waiting = ((cs?.state ?? {}) as Obj).waiting as Obj | undefined;
  if (waiting?.reason === 'ImagePullBackOff' || waiting?.reason === 'ErrImagePull' || !cs) {
    throw badRequest(`container "${container}" in pod "${name}" is waiting to start: trying and failing to pull image`);
  }
  const previous = q.get('previous') === 'true';
  const lastTerminated = ((cs.lastState ?? {}) as Obj).terminated as Obj | undefined;
  if (previous && !lastTerminated) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  const image = String(cs.image ?? '');
  let lines: string[];
  if (lastTerminated && (previous || waiting)) {
    lines =
      lastTerminated.reason === 'OOMKilled'
        ? [`starting ${container} (${image})`, 'allocating memory...', 'Killed']
        : [`starting ${container} (${image})`, 'loading configuration', `fatal: ${container} exited with code ${lastTerminated.exitCode}`];
  } else {
    lines = [`starting ${container} (${image})`, `pod ${namespace}/${meta(pod).name} ready`, 'serving requests'];
  }
  const tail = Number(q.get('tailLines') ?? 0);
  if (tail > 0) lines = lines.slice(-tail);
  send(ctx, 200, `${lines.join('\n')}\n`, 'text/plain');
}
