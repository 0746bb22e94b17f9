import { startKubeApi } from '../../kube-api/server.ts';
import { call } from './helpers.ts';
const api = await startKubeApi({ namespaces: ['demo'] });
const t = Date.now();
const dep = (n: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d${n}\n  namespace: demo\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: d${n}}\n  template:\n    metadata:\n      labels: {app: d${n}}\n    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n`;
const cm = (n: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${n}\n  namespace: demo\ndata:\n  a: "${n}"\n`;
for (let i = 0; i < 0; i++) await call(api, 'PATCH', `/api/v1/namespaces/demo/configmaps/c${i}?fieldManager=b&force=true`, { body: cm(i), contentType: 'application/apply-patch+yaml' });
console.log('400 cm', Date.now() - t);
const t2 = Date.now();
await Promise.all(Array.from({ length: 500 }, (_, i) => call(api, 'PATCH', `/apis/apps/v1/namespaces/demo/deployments/d${i}?fieldManager=b&force=true`, { body: dep(i), contentType: 'application/apply-patch+yaml' })));
console.log('100 deploy', Date.now() - t2);
for (;;) {
  const l = (await call(api, 'GET', '/apis/apps/v1/namespaces/demo/deployments')).body as any;
  const done = l.items.filter((d: any) => d.status?.availableReplicas === 2 && d.status.conditions?.some((c: any) => c.reason === 'NewReplicaSetAvailable')).length;
  if (done === 500) break;
  await new Promise((r) => setTimeout(r, 100));
}
console.log('rolled out', Date.now() - t2, 'requests', api.requests.length);
const t3 = Date.now();
for (let i = 0; i < 100; i++) await call(api, 'GET', `/api/v1/namespaces/demo/configmaps/c${i}`);
console.log('100 gets while idle', Date.now() - t3);
await api.close();
