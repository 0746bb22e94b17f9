// Conformance: replays the kube-apiserver 1.36 recordings in test/kube-api/recordings against a fresh emulator.
//
// Deterministic scenarios (01, 02, 06, 07, 08, 09, 10, 11, 12, 16) are replayed exchange by exchange: the status code
// always, the Warning headers, and the body after dropping run-specific values (uids, times, resourceVersions,
// generated names and IPs; see helpers.normalize). Exchanges left out of the body comparison are listed per file
// with the reason. Controller-driven scenarios (03, 04, 05, 13, 14, 15) depend on controller timing and generated
// pod names, so they are replayed as flows: the writes as recorded (pod names substituted), then polling until the
// recorded end state, comparing the fields a deploy tool reads (conditions, counters, reasons, container states).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type KubeApi, startKubeApi } from '../../kube-api/server.ts';
import { call, type Exchange, fixture, normalize, replay, until } from './helpers.ts';

type Obj = Record<string, unknown>;

async function fresh(opts: { demo?: boolean } = {}): Promise<KubeApi> {
  const api = await startKubeApi({ controllerIntervalMs: 20, namespaces: opts.demo === false ? [] : ['demo'] });
  try {
    if (opts.demo !== false) {
      // most scenarios ran after 02, which left ConfigMap demo/app-config behind
      const setup = fixture('02-ssa-create-unchanged-update.json');
      for (const i of [1, 3]) assert.equal((await replay(api, setup[i]!)).status, setup[i]!.response.status, `02 #${i} (setup)`);
    }
    return api;
  } catch (err) {
    // A running emulator keeps the test process alive: a failed setup must not leave it behind.
    await api.close();
    throw err;
  }
}

function compareBody(ex: Exchange, actual: unknown, label: string): void {
  assert.deepEqual(normalize(actual), normalize(ex.response.body), label);
}

interface ReplayOptions {
  /** exchanges whose status code is compared but not the body, with the reason */
  statusOnly?: Record<number, string>;
  skip?: Record<number, string>;
  token?: (ex: Exchange) => string | null | undefined;
  /** waits to run before an exchange (the recorder waited or polled there) */
  wait?: Record<number, (api: KubeApi) => Promise<unknown>>;
}

async function replayAll(api: KubeApi, file: string, opts: ReplayOptions = {}): Promise<void> {
  const exchanges = fixture(file);
  for (const [i, ex] of exchanges.entries()) {
    if (opts.skip?.[i]) continue;
    await opts.wait?.[i]?.(api);
    const label = `${file} #${i} ${ex.request.method} ${ex.request.path}`;
    const got = await replay(api, ex, opts.token?.(ex)).catch((err: Error) => {
      throw new Error(`${label}: ${err.message}`, { cause: err });
    });
    assert.equal(got.status, ex.response.status, `${label}: ${got.text.slice(0, 400)}`);
    const warning = ex.response.headers.warning as string[] | undefined;
    const gotWarning = got.headers.warning;
    assert.deepEqual(gotWarning === undefined ? undefined : [gotWarning].flat().flatMap((w) => w.split(/, (?=299 )/)), warning, `${label}: Warning header`);
    if (opts.statusOnly?.[i]) continue;
    compareBody(ex, got.body, label);
  }
}

describe('conformance replay', () => {
  test('01 discovery: version, legacy and aggregated documents', async () => {
    const api = await fresh({ demo: false });
    try {
      await replayAll(api, '01-discovery.json');
    } finally {
      await api.close();
    }
  });

  test('02 SSA create, no-op, update', async () => {
    const api = await fresh({ demo: false });
    try {
      const ex = fixture('02-ssa-create-unchanged-update.json');
      await replayAll(api, '02-ssa-create-unchanged-update.json');
      const [create, same] = [await replay(api, ex[1]!), await replay(api, ex[2]!)];
      const rv = (o: unknown) => ((o as Obj).metadata as Obj).resourceVersion;
      assert.equal(rv(create.body), rv(same.body), 'a no-op apply keeps the resourceVersion');
    } finally {
      await api.close();
    }
  });

  test('06 SSA conflicts, force, Update owners, co-ownership', async () => {
    const api = await fresh();
    try {
      await replayAll(api, '06-ssa-conflict.json');
    } finally {
      await api.close();
    }
  });

  test('07 dryRun=All', async () => {
    const api = await fresh();
    try {
      await replayAll(api, '07-dry-run.json');
    } finally {
      await api.close();
    }
  });

  test('08 fieldValidation with SSA and POST', async () => {
    const api = await fresh();
    try {
      await replayAll(api, '08-strict-validation.json');
    } finally {
      await api.close();
    }
  });

  test('09 error statuses, 401/403, TokenRequest', async () => {
    const api = await fresh();
    try {
      await replayAll(api, '09-errors.json', {
        skip: { 13: 'TokenRequest: see the test below', 14: 'as deployer: below', 15: 'as deployer: below', 16: 'as deployer: below', 17: 'as deployer: below' },
        token: (ex) => {
          const auth = ex.request.headers.authorization;
          if (auth === '(none)') return null;
          if (auth === 'Bearer <invalid token>') return 'not-a-token';
          return undefined;
        },
      });
    } finally {
      await api.close();
    }
  });
});

const established = (name: string) => (api: KubeApi) =>
  until(async () => {
    const crd = api.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`) as Obj | undefined;
    const conditions = ((crd?.status as Obj | undefined)?.conditions as Obj[] | undefined) ?? [];
    return conditions.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  }, `CRD ${name} Established`);

describe('conformance replay: CRDs, lists, ordering', () => {
  test('10 CRD, Established, custom resources', async () => {
    const api = await fresh();
    try {
      await replayAll(api, '10-crd.json', {
        statusOnly: { 1: 'GET 6 ms after the apply: the conditions depend on controller timing' },
        wait: { 2: established('widgets.example.com') },
      });
    } finally {
      await api.close();
    }
  });

  test('12 label-selector lists, paging, deletes', async () => {
    const api = await fresh();
    try {
      // 12 ran after 05, which created Deployment crashy
      const crashy = fixture('05-pod-failures.json')[1]!;
      assert.equal((await replay(api, crashy)).status, 201);
      await replayAll(api, '12-list-for-prune.json', {
        statusOnly: {
          10: 'continue token names the resourceVersion of this run',
          11: 'same list with set-based selector; compared below',
          12: 'follows a recorded continue token of another run',
          13: 'the recorded namespace has an OpenShift-only ConfigMap and other ConfigMaps from earlier scenarios',
        },
      });
      const page = await call(api, 'GET', '/api/v1/namespaces/demo/configmaps?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dsortie%2Csortie.dev%2Fapp%3Ddemo&limit=1');
      const meta = (page.body as Obj).metadata as Obj;
      assert.equal(((page.body as Obj).items as Obj[]).length, 1);
      assert.ok(meta.continue, 'a full page under a selector hands out a continue token');
      assert.equal(meta.remainingItemCount, undefined);
      const rest = await call(api, 'GET', `/api/v1/namespaces/demo/configmaps?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dsortie&limit=1&continue=${meta.continue}`);
      assert.deepEqual((rest.body as Obj).items, []);
      assert.equal(((rest.body as Obj).metadata as Obj).continue, undefined);
      const all = await call(api, 'GET', '/api/v1/namespaces/demo/configmaps?limit=2');
      const allMeta = (all.body as Obj).metadata as Obj;
      assert.deepEqual(((all.body as Obj).items as Obj[]).map((o) => (o.metadata as Obj).name), ['app-config', 'kube-root-ca.crt']);
      assert.equal(allMeta.remainingItemCount, 1);
    } finally {
      await api.close();
    }
  });

  test('16 ordering and namespaces', async () => {
    const api = await fresh({ demo: false });
    try {
      await replayAll(api, '16-ordering-and-namespaces.json', {
        statusOnly: { 10: 'GET 18 ms after the CRD apply: the conditions depend on controller timing' },
        wait: { 11: established('sprockets.ord.example.com') },
      });
    } finally {
      await api.close();
    }
  });
});

describe('conformance replay: the limited ServiceAccount (09 #10-17) and self reviews (11)', () => {
  let api: KubeApi;
  before(async () => {
    api = await fresh();
  });
  after(async () => {
    await api.close();
  });

  test('09 TokenRequest, requests as demo:deployer, 11 reviews', async () => {
    const ex = fixture('09-errors.json');
    for (const i of [10, 11, 12]) assert.equal((await replay(api, ex[i]!)).status, 201);
    const tr = await replay(api, ex[13]!);
    assert.equal(tr.status, 201);
    const token = ((tr.body as Obj).status as Obj).token as string;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Obj;
    assert.equal(claims.sub, 'system:serviceaccount:demo:deployer');
    for (const i of [14, 15, 16, 17]) {
      const got = await replay(api, ex[i]!, token);
      assert.equal(got.status, ex[i]!.response.status, `09 #${i}`);
      if (got.status >= 400) compareBody(ex[i]!, got.body, `09 #${i}`);
    }
    // 11: reviews as the same ServiceAccount and as admin
    const reviews = fixture('11-selfsubjectreviews.json');
    for (const [i, r] of reviews.entries()) {
      const asDeployer = i === 0 || i === 1 || i === 3 || i === 5;
      const got = await replay(api, r, asDeployer ? token : undefined);
      assert.equal(got.status, r.response.status, `11 #${i}`);
      const body = normalize(got.body) as Obj;
      const want = normalize(r.response.body) as Obj;
      if (i === 3) {
        const ui = (body.status as Obj).userInfo as Obj;
        assert.equal(ui.username, 'system:serviceaccount:demo:deployer');
        assert.deepEqual(ui.groups, ((want.status as Obj).userInfo as Obj).groups);
        continue;
      }
      if (i === 5) {
        // the recorded nonResourceRules include an OpenShift-only entry (README), compared without it
        const st = body.status as Obj;
        const ws = want.status as Obj;
        assert.deepEqual(st.resourceRules, ws.resourceRules);
        assert.deepEqual(st.nonResourceRules, (ws.nonResourceRules as Obj[]).filter((x) => !(x.nonResourceURLs as string[]).includes('/.well-known')));
        continue;
      }
      assert.deepEqual(body, want, `11 #${i}`);
    }
  });
});
