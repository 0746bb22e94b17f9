// Conformance of the controller-driven recordings (03, 04, 05, 13, 14, 15). Pod names, template hashes and timings
// differ from the recorded run, so these replay the recorded writes (pod names substituted) and poll until the
// recorded state, then compare the fields a deploy tool reads: status counters and conditions (types, status, reason,
// message with the ReplicaSet name substituted), ReplicaSet annotations, pod states, event shapes, log answers.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { describe, test } from 'node:test';
import { type KubeApi, startKubeApi } from '../../kube-api/server.ts';
import { call, fixture, normalize, replay, until } from './helpers.ts';

type Obj = Record<string, unknown>;

const start = () => startKubeApi({ controllerIntervalMs: 10, namespaces: ['demo'] });
const deployment = (api: KubeApi, name: string) => api.get(`/apis/apps/v1/namespaces/demo/deployments/${name}`) as Obj;
const statusOf = (o: Obj) => (o.status ?? {}) as Obj;
const cond = (o: Obj, type: string) => ((statusOf(o).conditions as Obj[] | undefined) ?? []).find((c) => c.type === type);

async function listItems(api: KubeApi, path: string): Promise<Obj[]> {
  const r = await call(api, 'GET', path);
  assert.equal(r.status, 200, r.text);
  return (r.body as Obj).items as Obj[];
}

/** The recorded status with the recorded ReplicaSet name replaced by ours, without times. */
function expectedStatus(recorded: Obj, recordedRs: string, ourRs: string): unknown {
  return normalize(JSON.parse(JSON.stringify(recorded.status).replaceAll(recordedRs, ourRs)));
}

const sortConditions = (s: unknown) => {
  const st = s as Obj;
  if (Array.isArray(st.conditions)) st.conditions = [...(st.conditions as Obj[])].sort((a, b) => String(a.type).localeCompare(String(b.type)));
  return st;
};

async function waitStatus(api: KubeApi, name: string, want: unknown, what: string): Promise<Obj> {
  return until(async () => {
    const d = deployment(api, name);
    return d && JSON.stringify(sortConditions(normalize(statusOf(d)))) === JSON.stringify(sortConditions(want)) ? d : undefined;
  }, `${what}: ${JSON.stringify(want)} (last: ${JSON.stringify(normalize(statusOf(deployment(api, name) ?? {})))})`);
}

const rsOf = async (api: KubeApi, selector = 'app%3Dweb') => listItems(api, `/apis/apps/v1/namespaces/demo/replicasets?labelSelector=${selector}`);

describe('controller-driven recordings', () => {
  test('03 + 04: Deployment with pending pods, deadline, then pods made ready by hand', async () => {
    const api = await start();
    try {
      const ex03 = fixture('03-ssa-deployment.json');
      const ex04 = fixture('04-rollout-complete.json');
      // no scheduler and no kubelet in the recording: pods stay Pending
      api.setFault('Deployment', 'demo', 'web', 'stall');
      const applied = await replay(api, ex03[0]!);
      assert.equal(applied.status, 201);
      assert.deepEqual(normalize(applied.body), normalize(ex03[0]!.response.body));
      const [rs] = await until(async () => ((await rsOf(api)).length ? rsOf(api) : undefined), 'ReplicaSet');
      assert.ok(rs);
      const rsName = String((rs.metadata as Obj).name);
      const recordedRs = 'web-cc544bdcc';
      await waitStatus(api, 'web', expectedStatus(ex03[2]!.response.body as Obj, recordedRs, rsName), '03 #2 progressing');
      // ReplicaSets and pods by the Deployment's selector
      const recRs = (ex03[8]!.response.body as Obj).items as Obj[];
      const ourRs = await rsOf(api);
      const hash = rsName.slice('web-'.length);
      const strip = (o: Obj) => {
        const { managedFields: _m, name: _n, ...rest } = o.metadata as Obj;
        return normalize({ ...o, metadata: rest });
      };
      assert.deepEqual(JSON.parse(JSON.stringify(strip(ourRs[0]!)).replaceAll(hash, 'cc544bdcc')), strip(recRs[0]!));
      const pods = await listItems(api, '/api/v1/namespaces/demo/pods?labelSelector=app%3Dweb');
      const recPod = ((ex03[9]!.response.body as Obj).items as Obj[])[0]!;
      assert.equal(pods.length, 2);
      for (const p of pods) {
        assert.deepEqual(p.status, recPod.status);
        const spec = p.spec as Obj;
        const recSpec = recPod.spec as Obj;
        assert.equal(spec.nodeName, undefined);
        for (const k of ['restartPolicy', 'terminationGracePeriodSeconds', 'dnsPolicy', 'serviceAccountName', 'serviceAccount', 'securityContext', 'schedulerName', 'tolerations', 'priority', 'enableServiceLinks', 'preemptionPolicy']) {
          assert.deepEqual(spec[k], recSpec[k], `pod spec.${k}`);
        }
        assert.deepEqual(((p.metadata as Obj).ownerReferences as Obj[])[0]!.kind, 'ReplicaSet');
      }
      // events: core v1 and the events.k8s.io/v1 view have the recorded field names
      const core = await listItems(api, '/api/v1/namespaces/demo/events');
      const recCore = (ex03[10]!.response.body as Obj).items as Obj[];
      assert.deepEqual(Object.keys(core[0]!).sort(), Object.keys(recCore[0]!).sort());
      assert.ok(core.some((e) => e.reason === 'SuccessfulCreate' && String(e.message).startsWith(`Created pod: ${rsName}-`)));
      assert.ok(core.some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set ${rsName} from 0 to 2`));
      const v1 = await listItems(api, '/apis/events.k8s.io/v1/namespaces/demo/events');
      assert.deepEqual(Object.keys(v1[0]!).sort(), Object.keys(((ex03[11]!.response.body as Obj).items as Obj[])[0]!).sort());
      // the deadline: progressDeadlineSeconds is 15 in the recording, the fault makes it immediate
      api.setFault('Deployment', 'demo', 'web', 'progress-deadline');
      await waitStatus(api, 'web', expectedStatus(ex03[7]!.response.body as Obj, recordedRs, rsName), '03 #7 ProgressDeadlineExceeded');
      api.setFault('Deployment', 'demo', 'web', 'stall');
      // 04: the recorder acts as the kubelet
      const [p1, p2] = pods.map((p) => String((p.metadata as Obj).name));
      assert.ok(p1 && p2);
      const patch = async (pod: string, body: unknown) => {
        const r = await call(api, 'PATCH', `/api/v1/namespaces/demo/pods/${pod}/status`, { body, contentType: 'application/merge-patch+json' });
        assert.equal(r.status, 200, r.text);
        return r.body as Obj;
      };
      const patched = await patch(p1, ex04[1]!.request.body);
      assert.deepEqual(normalize(patched.status), normalize({ ...((ex04[1]!.request.body as Obj).status as Obj), qosClass: 'BestEffort' }));
      const statusEntry = ((patched.metadata as Obj).managedFields as Obj[]).find((m) => m.subresource === 'status' && m.manager === 'unknown');
      assert.ok(statusEntry, 'the status patch shows up as an Update entry on subresource status');
      await waitStatus(api, 'web', expectedStatus(ex04[2]!.response.body as Obj, recordedRs, rsName), '04 #2 one ready');
      await patch(p2, ex04[3]!.request.body);
      await waitStatus(api, 'web', expectedStatus(ex04[4]!.response.body as Obj, recordedRs, rsName), '04 #4 complete');
      const rsAfter = await rsOf(api);
      assert.deepEqual(normalize(statusOf(rsAfter[0]!)), normalize(statusOf(((ex04[5]!.response.body as Obj).items as Obj[])[0]!)));
    } finally {
      await api.close();
    }
  });

  test('05: ImagePullBackOff, CrashLoopBackOff and log answers', async () => {
    const api = await start();
    try {
      const ex = fixture('05-pod-failures.json');
      api.setFault('Deployment', 'demo', 'broken', 'image-pull-backoff');
      api.setFault('Deployment', 'demo', 'crashy', 'crash-loop');
      for (const i of [0, 1]) assert.equal((await replay(api, ex[i]!)).status, 201);
      const podOf = async (app: string) => until(async () => (await listItems(api, `/api/v1/namespaces/demo/pods?labelSelector=app%3D${app}`)).find((p) => (statusOf(p).containerStatuses as Obj[] | undefined)?.length), `${app} pod status`);
      const broken = await podOf('broken');
      const crashy = await podOf('crashy');
      const waiting = (p: Obj) => (((statusOf(p).containerStatuses as Obj[])[0]!.state as Obj).waiting as Obj);
      assert.equal(waiting(broken).reason, 'ImagePullBackOff');
      assert.match(String(waiting(broken).message), /^Back-off pulling image "registry\.example\.com\/team\/api:9\.9\.9-missing": ErrImagePull: /);
      assert.equal(statusOf(broken).phase, 'Pending');
      assert.equal(waiting(crashy).reason, 'CrashLoopBackOff');
      const crashyName = String((crashy.metadata as Obj).name);
      assert.match(String(waiting(crashy).message), new RegExp(`restarting failed container=app pod=${crashyName}_demo\\(`));
      const last = (((statusOf(crashy).containerStatuses as Obj[])[0]!.lastState as Obj).terminated as Obj);
      assert.deepEqual([last.exitCode, last.reason], [1, 'Error']);
      for (const p of [broken, crashy]) {
        const ready = ((statusOf(p).conditions as Obj[]) ?? []).find((c) => c.type === 'Ready') as Obj;
        assert.deepEqual([ready.status, ready.reason, ready.message], ['False', 'ContainersNotReady', 'containers with unready status: [app]']);
      }
      for (const [i, name] of [[6, 'broken'], [7, 'crashy']] as const) {
        const recorded = ex[i]!.response.body as Obj;
        const shape = (d: Obj) => {
          const st = statusOf(d);
          return JSON.stringify([st.replicas, st.updatedReplicas, st.unavailableReplicas, st.readyReplicas, cond(d, 'Available')?.reason, cond(d, 'Progressing')?.reason]);
        };
        await until(async () => (shape(deployment(api, name)) === shape(recorded) ? true : undefined), `05 #${i} ${shape(recorded)}`);
      }
      const events = await listItems(api, '/api/v1/namespaces/demo/events');
      assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'BackOff' && String(e.message).startsWith('Back-off restarting failed container app in pod crashy-')));
      assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'Failed' && String(e.message).startsWith('Failed to pull image "registry.example.com/team/api:9.9.9-missing"')));
      // logs: the emulated kubelet serves lines; an unknown container or pod gives the recorded errors
      const log = await call(api, 'GET', `/api/v1/namespaces/demo/pods/${crashyName}/log?tailLines=20&previous=true`);
      assert.equal(log.status, 200);
      assert.match(log.text, /exited with code 1/);
      const nope = await call(api, 'GET', `/api/v1/namespaces/demo/pods/${crashyName}/log?tailLines=20&container=nope`);
      assert.deepEqual(nope.body, JSON.parse(JSON.stringify(ex[10]!.response.body).replace('crashy-d74d4b6db-fwfd8', crashyName)));
      const missing = await replay(api, ex[12]!);
      assert.deepEqual([missing.status, missing.body], [404, ex[12]!.response.body]);
      // an unbound pod (as in the recording) has no kubelet to ask: 204 without a body
      api.setFault('Deployment', 'demo', 'pending', 'stall');
      const pending = (ex[1]!.request.body as string).replaceAll('crashy', 'pending');
      assert.equal((await call(api, 'PATCH', '/apis/apps/v1/namespaces/demo/deployments/pending?fieldManager=sortie&force=true', { body: pending, contentType: 'application/apply-patch+yaml' })).status, 201);
      const [pod] = await until(async () => {
        const items = await listItems(api, '/api/v1/namespaces/demo/pods?labelSelector=app%3Dpending');
        return items.length ? items : undefined;
      }, 'pending pod');
      assert.ok(pod);
      for (const q of ['tailLines=20', 'tailLines=20&previous=true']) {
        const r = await call(api, 'GET', `/api/v1/namespaces/demo/pods/${(pod.metadata as Obj).name}/log?${q}`);
        assert.deepEqual([r.status, r.text, r.headers['content-type']], [204, '', undefined]);
      }
    } finally {
      await api.close();
    }
  });

  test('13: watch a Deployment while a pod loses and regains readiness', async () => {
    const api = await start();
    try {
      const ex = fixture('13-watch.json');
      assert.equal((await replay(api, fixture('03-ssa-deployment.json')[0]!)).status, 201);
      await until(async () => (cond(deployment(api, 'web'), 'Progressing')?.reason === 'NewReplicaSetAvailable' ? true : undefined), 'rollout');
      const rv = String((deployment(api, 'web').metadata as Obj).resourceVersion);
      const events: Obj[] = [];
      const req = request(`${api.url}/apis/apps/v1/namespaces/demo/deployments?watch=1&fieldSelector=metadata.name%3Dweb&resourceVersion=${rv}`, { ca: api.caPem, headers: { authorization: `Bearer ${api.adminToken}` } }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            events.push(JSON.parse(buf.slice(0, i)) as Obj);
            buf = buf.slice(i + 1);
          }
        });
      });
      req.end();
      const [pod] = await listItems(api, '/api/v1/namespaces/demo/pods?labelSelector=app%3Dweb');
      assert.ok(pod);
      api.setFault('Deployment', 'demo', 'web', 'stall');
      const name = String((pod.metadata as Obj).name);
      const podRv = String((pod.metadata as Obj).resourceVersion);
      const unready = await call(api, 'PATCH', `/api/v1/namespaces/demo/pods/${name}/status`, { body: ex[1]!.request.body, contentType: 'application/merge-patch+json' });
      assert.equal(unready.status, 200);
      const lost = await until(async () => events.find((e) => cond(e.object as Obj, 'Available')?.status === 'False'), 'MODIFIED with Available=False');
      assert.equal(lost.type, 'MODIFIED');
      assert.equal(cond(lost.object as Obj, 'Progressing')?.reason, 'NewReplicaSetAvailable');
      assert.equal(statusOf(lost.object as Obj).availableReplicas, 1);
      await call(api, 'PATCH', `/api/v1/namespaces/demo/pods/${name}/status`, { body: ex[2]!.request.body, contentType: 'application/merge-patch+json' });
      const back = await until(async () => events.find((e) => e !== lost && cond(e.object as Obj, 'Available')?.status === 'True' && events.indexOf(e) > events.indexOf(lost)), 'Available again');
      assert.equal(statusOf(back.object as Obj).availableReplicas, 2);
      req.destroy();
      // resourceVersion=0: a synthetic ADDED event, then the stream ends after timeoutSeconds
      const added = await call(api, 'GET', '/apis/apps/v1/namespaces/demo/deployments?watch=1&fieldSelector=metadata.name%3Dweb&resourceVersion=0&timeoutSeconds=1');
      const lines = added.text.trim().split('\n').map((l) => JSON.parse(l) as Obj);
      assert.deepEqual(lines.map((l) => [l.type, (l.object as Obj).kind]), (ex[3]!.response.body as Obj[]).map((e) => [e.type, (e.object as Obj).kind]));
      // a pod watch from an older resourceVersion replays the two status patches
      const podWatch = await call(api, 'GET', `/api/v1/namespaces/demo/pods?watch=1&labelSelector=app%3Dweb&resourceVersion=${podRv}&timeoutSeconds=1`);
      const podEvents = podWatch.text.trim().split('\n').map((l) => JSON.parse(l) as Obj).filter((e) => ((e.object as Obj).metadata as Obj).name === name);
      assert.deepEqual(podEvents.map((e) => [e.type, (e.object as Obj).kind]), (ex[4]!.response.body as Obj[]).map((e) => [e.type, (e.object as Obj).kind]));
    } finally {
      await api.close();
    }
  });

  test('14: restart by re-applying a restartedAt annotation rolls a new ReplicaSet', async () => {
    const api = await start();
    try {
      const ex = fixture('14-restart.json');
      assert.equal((await replay(api, fixture('03-ssa-deployment.json')[0]!)).status, 201);
      const done = (rev: string) => async () => {
        const d = deployment(api, 'web');
        const m = d.metadata as Obj;
        const st = statusOf(d);
        return cond(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' && st.observedGeneration === m.generation && (m.annotations as Obj)['deployment.kubernetes.io/revision'] === rev && st.updatedReplicas === 2 && st.replicas === 2 ? d : undefined;
      };
      await until(done('1'), 'first rollout');
      const restart = await replay(api, ex[1]!);
      assert.equal(restart.status, 200);
      const meta = (restart.body as Obj).metadata as Obj;
      assert.equal(meta.generation, 2);
      assert.equal(statusOf(restart.body as Obj).observedGeneration, 1);
      const final = await until(done('2'), 'restart rollout');
      const sets = await rsOf(api);
      const revisionOf = (rs: Obj) => ((rs.metadata as Obj).annotations as Obj)['deployment.kubernetes.io/revision'];
      const nameOf = (rs: Obj) => String((rs.metadata as Obj).name);
      const rsName = nameOf(sets.find((rs) => revisionOf(rs) === '2') as Obj);
      const oldRs = nameOf(sets.find((rs) => revisionOf(rs) === '1') as Obj);
      assert.deepEqual(sortConditions(normalize(statusOf(final))), sortConditions(expectedStatus(ex[9]!.response.body as Obj, 'web-5c55c6978d', rsName)));
      const byRevision = Object.fromEntries(sets.map((rs) => [revisionOf(rs), (rs.spec as Obj).replicas]));
      assert.deepEqual(byRevision, { 1: 0, 2: 2 });
      const pods = await listItems(api, '/api/v1/namespaces/demo/pods?labelSelector=app%3Dweb');
      assert.ok(pods.every((p) => String((p.metadata as Obj).name).startsWith(`${rsName}-`)));
      const events = await listItems(api, '/api/v1/namespaces/demo/events?fieldSelector=involvedObject.kind%3DDeployment%2CinvolvedObject.name%3Dweb');
      const recorded = ((ex[12]!.response.body as Obj).items as Obj[]).map((e) => String(e.message).replaceAll('web-cc544bdcc', oldRs).replaceAll('web-5c55c6978d', rsName));
      assert.deepEqual(events.map((e) => e.message), recorded);
    } finally {
      await api.close();
    }
  });

  test('15: Job runs to Complete; job-fail ends in BackoffLimitExceeded', async () => {
    const api = await start();
    try {
      const ex = fixture('15-jobs.json');
      const applied = await replay(api, ex[0]!);
      assert.equal(applied.status, 201);
      const uid = String(((applied.body as Obj).metadata as Obj).uid);
      const recordedUid = String(((ex[0]!.response.body as Obj).metadata as Obj).uid);
      const want = JSON.parse(JSON.stringify(ex[0]!.response.body).replaceAll(recordedUid, uid)) as Obj;
      assert.deepEqual(normalize({ ...(applied.body as Obj), metadata: undefined }), normalize({ ...want, metadata: undefined }));
      const job = await until(async () => {
        const j = api.get('/apis/batch/v1/namespaces/demo/jobs/migrate') as Obj;
        return cond(j, 'Complete') ? j : undefined;
      }, 'Job Complete');
      assert.deepEqual(normalize(statusOf(job)), normalize(statusOf(ex[8]!.response.body as Obj)));
      const pods = await listItems(api, '/api/v1/namespaces/demo/pods?labelSelector=batch.kubernetes.io%2Fjob-name%3Dmigrate');
      assert.equal(pods.length, 1);
      assert.equal(statusOf(pods[0]!).phase, 'Succeeded');
      assert.equal((pods[0]!.metadata as Obj).finalizers, undefined);
      const events = await listItems(api, '/api/v1/namespaces/demo/events?fieldSelector=involvedObject.kind%3DJob%2CinvolvedObject.name%3Dmigrate');
      assert.deepEqual(events.map((e) => [e.reason, String(e.message).replace(/migrate-[a-z0-9]+$/, 'migrate-x')]), [['SuccessfulCreate', 'Created pod: migrate-x'], ['Completed', 'Job completed']]);
      // the fault switch by annotation: every pod fails, the Job gives up after backoffLimit retries
      const failing = (ex[0]!.request.body as string).replace('name: migrate', 'name: doomed').replace('  labels:\n    app: migrate', `  labels:\n    app: migrate\n  annotations:\n    emulator.sortie.dev/fault: job-fail`);
      assert.equal((await call(api, 'PATCH', '/apis/batch/v1/namespaces/demo/jobs/doomed?fieldManager=sortie&force=true', { body: failing, contentType: 'application/apply-patch+yaml' })).status, 201);
      const doomed = await until(async () => {
        const j = api.get('/apis/batch/v1/namespaces/demo/jobs/doomed') as Obj;
        return cond(j, 'Failed') ? j : undefined;
      }, 'Job Failed');
      assert.deepEqual([cond(doomed, 'Failed')?.reason, statusOf(doomed).failed], ['BackoffLimitExceeded', 3]);
    } finally {
      await api.close();
    }
  });
});
