import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dump } from 'js-yaml';
import { type HostileServer, startHostileServer } from '../support/hostile-http.ts';
import { runBundleMeasured } from '../support/run-measured.ts';
import { workspace } from '../support/workspace.ts';

let endless: HostileServer;
let url: string;
before(async () => {
  endless = await startHostileServer({ kind: 'endless' });
  url = endless.url;
});
after(() => endless.close());

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
    assert.doesNotMatch(r.stderr, /unexpected failure|cannot reach/);
    assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
    assert.ok(r.maxRssMiB < 200, `peak RSS ${r.maxRssMiB} MiB`);
  });
});
