import { mkdir, writeFile } from 'node:fs/promises';
import { createSecureServer } from 'node:http2';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import type { Identity } from './auth.ts';
import { Cluster, type Fault } from './cluster.ts';
import { Controllers } from './controllers.ts';
import { createHandler, type RequestRecord } from './http.ts';
import { createPki } from './tls.ts';
import { meta } from './store.ts';

export type { Identity };

interface KubeApiOptions {
  controllerIntervalMs?: number;
  /**
   * Time each request waits before it is handled. The emulator answers in well under a
   * millisecond and is bound by its one thread; a real kube-apiserver is bound by latency
   * (admission, etcd): about 22 ms an apply, from 500 applies 16 at a time taking 0.7 s on 1.36.
   */
  latencyMs?: number;
  identities?: Identity[];
  /** created at start besides default, kube-system, kube-public */
  namespaces?: string[];
  /** Serve HTTP/2 as well (negotiated by ALPN; HTTP/1.1 clients are still served): for the benchmark. */
  http2?: boolean;
}

export interface KubeApi {
  url: string;
  caPem: string;
  adminToken: string;
  tokenFor(user: string): string;
  clientCert(user: string, groups?: string[]): { certPem: string; keyPem: string };
  kubeconfig(opts?: { user?: string; namespace?: string; useClientCert?: boolean }): string;
  writeServiceAccountDir(dir: string, namespace: string, serviceAccount: string): Promise<void>;
  setFault(kind: string, namespace: string, name: string, fault: Fault | null): void;
  requests: RequestRecord[];
  get(path: string): unknown;
  /** Forgets the watch history: a watch from any resourceVersion before now gets 410 Gone. */
  compact(): void;
  /** Watches being served now. */
  readonly openWatches: number;
  /** Drops the connection of every watch being served, as a restarting server or a proxy would. */
  dropWatches(): void;
  close(): Promise<void>;
}

export async function startKubeApi(opts: KubeApiOptions = {}): Promise<KubeApi> {
  const pki = createPki();
  const identities = opts.identities ?? [];
  const cluster = new Cluster(identities, pki.caPem);
  const namespaces = cluster.info('', 'namespaces');
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', ...(opts.namespaces ?? [])]) {
    if (!cluster.namespaceExists(ns)) cluster.create(namespaces, '', { metadata: { name: ns } }, { manager: 'kube-apiserver' });
  }
  // every cluster has the apiserver's own Service in default
  cluster.create(
    cluster.info('', 'services'),
    'default',
    {
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: 6443 }] },
    },
    { manager: 'kube-apiserver' },
  );
  const requests: RequestRecord[] = [];
  const tls = { key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caPem, requestCert: true, rejectUnauthorized: false };
  // The handler uses only what HTTP/2's compatibility API shares with node:http's request and response.
  const server = opts.http2 ? createSecureServer({ ...tls, allowHTTP1: true }) : createServer(tls);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  server.on('request', createHandler(cluster, requests, `127.0.0.1:${port}`, opts.latencyMs) as (...args: unknown[]) => void);
  const controllers = new Controllers(cluster, opts.controllerIntervalMs ?? 50);
  controllers.tick();
  controllers.start();
  const url = `https://127.0.0.1:${port}`;

  const tokenFor = (user: string): string => {
    if (user === 'admin') return cluster.authn.adminToken;
    const t = cluster.authn.tokenFor(user);
    if (!t) throw new Error(`no identity ${user} configured`);
    return t;
  };
  const clientCert = (user: string, groups: string[] = []) => pki.issueClientCert(user, groups);

  return {
    url,
    caPem: pki.caPem,
    adminToken: cluster.authn.adminToken,
    requests,
    tokenFor,
    clientCert,
    kubeconfig(o = {}) {
      const user = o.user ?? 'admin';
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      let credentials: Record<string, string>;
      if (o.useClientCert) {
        const groups = user === 'admin' ? ['system:masters'] : (identities.find((i) => i.user === user)?.groups ?? []);
        const cert = clientCert(user, groups);
        credentials = { 'client-certificate-data': b64(cert.certPem), 'client-key-data': b64(cert.keyPem) };
      } else credentials = { token: tokenFor(user) };
      const context: Record<string, string> = { cluster: 'kube-emulator', user };
      if (o.namespace) context.namespace = o.namespace;
      return yaml.dump({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'kube-emulator', cluster: { server: url, 'certificate-authority-data': b64(pki.caPem) } }],
        users: [{ name: user, user: credentials }],
        contexts: [{ name: 'kube-emulator', context }],
        'current-context': 'kube-emulator',
      });
    },
    async writeServiceAccountDir(dir, namespace, serviceAccount) {
      const sas = cluster.info('', 'serviceaccounts');
      const sa = cluster.store.get(sas, namespace, serviceAccount);
      const uid = sa ? String(meta(sa).uid) : '00000000-0000-0000-0000-000000000000';
      const username = `system:serviceaccount:${namespace}:${serviceAccount}`;
      const { token } = cluster.authn.issueServiceAccountToken(namespace, serviceAccount, uid, 3607, identities.find((i) => i.user === username));
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'token'), token);
      await writeFile(join(dir, 'ca.crt'), pki.caPem);
      await writeFile(join(dir, 'namespace'), namespace);
    },
    setFault(kind, namespace, name, fault) {
      const key = `${kind}/${namespace}/${name}`;
      if (fault) cluster.faults.set(key, fault);
      else cluster.faults.delete(key);
    },
    get(path) {
      const segs = path.split('?')[0]!.split('/').filter(Boolean);
      const [group, version, rest] = segs[0] === 'api' ? ['', segs[1], segs.slice(2)] : [segs[1], segs[2], segs.slice(3)];
      const ns = rest[0] === 'namespaces' && rest.length >= 3 ? rest[1]! : '';
      const [resource, name] = ns ? rest.slice(2) : rest;
      if (group === undefined || version === undefined || resource === undefined || name === undefined) return undefined;
      const r = cluster.registry.lookup(group, version, resource);
      if (!r) return undefined;
      const o = cluster.store.get(r, ns, name);
      return o === undefined ? undefined : structuredClone(o);
    },
    compact() {
      cluster.store.compact();
    },
    get openWatches() {
      return cluster.watches.size;
    },
    dropWatches() {
      for (const w of [...cluster.watches]) w.drop();
    },
    async close() {
      controllers.stop();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      pki.dispose();
    },
  };
}
