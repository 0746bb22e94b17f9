import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dump } from 'js-yaml';
import { runBundleMeasured } from '../support/run-measured.ts';
import { workspace } from '../support/workspace.ts';

/** A loopback "API server" whose every answer streams without end. */
let endless: Server;
let url: string;

before(async () => {
  const chunk = Buffer.alloc(1024 * 1024, ' ');
  endless = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.on('error', () => {});
    const more = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', more);
    };
    more();
  });
  await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(endless.address() as AddressInfo).port}`;
});
after(() => {
  endless.closeAllConnections();
  endless.close();
});

describe('an HTTP answer without end, through the bundle', () => {
  it('kubernetes: the step stops at the 64 MiB body limit, naming the server, under 200 MB', async () => {
    const ws = workspace({ 'k8s/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: "1"\n' });
    const kubeconfig = dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'endless', cluster: { server: url } }],
      users: [{ name: 'ci', user: { token: 'Zq9xWv3Kp7Lm2Nb8Rt4Yc6Hd' } }],
      contexts: [{ name: 'ci', context: { cluster: 'endless', user: 'ci', namespace: 'demo' } }],
      'current-context': 'ci',
    });
    const r = await runBundleMeasured(
      'kubernetes',
      { DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: join(ws, 'no-env-file'), PLUGIN_KUBECONFIG: kubeconfig, PLUGIN_MANIFESTS: 'k8s/' },
      { cwd: ws, timeoutMs: 60_000 },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`${url}: the answer is longer than 64 MiB`), r.stderr);
    assert.doesNotMatch(r.stderr, /unexpected failure/);
    assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
    assert.ok(r.maxRssMiB < 200, `peak RSS ${r.maxRssMiB} MiB`);
  });
});
