import assert from 'node:assert/strict';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { startBundle } from '../support/bundle-process.ts';
import { deploymentYaml } from '../support/kube-manifests.ts';
import { workspace } from '../support/workspace.ts';

let api: KubeApi;
before(async () => {
  api = await startKubeApi({ controllerIntervalMs: 20, namespaces: ['hostile'] });
});
after(() => api.close());

/**
 * A loopback API server that is the emulator, except that it answers every watch with `watch`.
 * Returns its URL and how many watches it answered.
 */
async function withWatches(watch: (res: ServerResponse) => void): Promise<{ url: string; watches: () => number; close(): void }> {
  let watches = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (/[?&]watch=1/.test(req.url ?? '')) {
      watches++;
      return watch(res);
    }
    const upstream = request(`${api.url}${req.url}`, { method: req.method, headers: req.headers, ca: api.caPem }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    watches: () => watches,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function deployThrough(url: string, name: string) {
  const ws = workspace({ 'd.yaml': deploymentYaml(name, 2) });
  return startBundle(
    'kubernetes',
    { DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: `${ws}/no-env-file`, PLUGIN_SERVER: url, PLUGIN_TOKEN: api.adminToken, PLUGIN_NAMESPACE: 'hostile', PLUGIN_MANIFESTS: 'd.yaml', PLUGIN_TIMEOUT: '20s' },
    { cwd: ws },
  ).ended;
}

const answers: Record<string, (res: ServerResponse) => void> = {
  'a line that never ends (more than 16 MiB)': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    const more = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', more);
    };
    more();
  },
  'events that are not JSON': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('<html>proxy error</html>\n');
  },
};

for (const [what, answer] of Object.entries(answers)) {
  test(`a watch answered with ${what} ends; the wait reads the workload instead and still finishes`, async () => {
    const server = await withWatches(answer);
    try {
      const name = `w${Object.keys(answers).indexOf(what)}`;
      // Held back until the plugin has tried to watch, so the rollout completes while it waits.
      api.setFault('Deployment', 'hostile', name, 'stall');
      const run = deployThrough(server.url, name);
      let ended = false;
      void run.then(() => {
        ended = true;
      });
      while (server.watches() === 0 && !ended) await new Promise((r) => setTimeout(r, 5));
      api.setFault('Deployment', 'hostile', name, null);
      const r = await run;
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`deployment\\.apps/${name} successfully rolled out`));
      assert.ok(server.watches() >= 1, 'it tried to watch');
      assert.ok(r.elapsedMs < 15_000, `ended after ${r.elapsedMs} ms`);
    } finally {
      server.close();
    }
  });
}
