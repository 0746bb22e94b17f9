// What tells a changing server-side apply from a no-op, as recordings 02 and 07 show it, and the plugin
// relies on: the resourceVersion never moves on a dry run; the manager's managedFields time moves only
// when the apply changes the object. (The conformance replay drops times, so they are checked here.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type KubeApi, startKubeApi } from '../../kube-api/server.ts';
import { call } from './helpers.ts';

let api: KubeApi;
before(async () => {
  api = await startKubeApi({ controllerIntervalMs: 3_600_000, namespaces: ['demo'] });
});
after(() => api.close());

const PATH = '/api/v1/namespaces/demo/configmaps/app-config';
const cm = (level: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n  namespace: demo\ndata:\n  LOG_LEVEL: ${level}\n`;

async function apply(level: string, dryRun: boolean) {
  const r = await call(api, 'PATCH', `${PATH}?fieldManager=sortie&force=true${dryRun ? '&dryRun=All' : ''}`, { body: cm(level), contentType: 'application/apply-patch+yaml' });
  assert.equal(r.status, 200, r.text);
  const m = (r.body as { metadata: { resourceVersion: string; managedFields: Array<{ manager: string; time: string }> } }).metadata;
  return { rv: m.resourceVersion, time: m.managedFields.find((e) => e.manager === 'sortie')!.time, date: r.headers.date };
}

test('a dry-run apply keeps the resourceVersion; only a changing one restamps the manager time', async () => {
  await call(api, 'PATCH', `${PATH}?fieldManager=sortie&force=true`, { body: cm('info'), contentType: 'application/apply-patch+yaml' });
  const live = await apply('info', false);
  // Times are to the second: let one pass so that a restamp shows.
  await sleep(1100);

  const same = await apply('info', true);
  assert.deepEqual([same.rv, same.time], [live.rv, live.time], 'a no-op dry run shows the stored object (02, exchange 2)');
  assert.ok(same.date && Number.isFinite(Date.parse(String(same.date))), 'every answer has a Date header');

  const changed = await apply('debug', true);
  assert.equal(changed.rv, live.rv, 'a changing dry run keeps the resourceVersion (07, exchange 4)');
  assert.ok(Date.parse(changed.time) > Date.parse(live.time), 'and restamps the time');

  const noop = await apply('info', false);
  assert.deepEqual([noop.rv, noop.time], [live.rv, live.time], 'a no-op apply writes nothing (02, exchange 2)');
});
