// Runs the emulator until SIGINT/SIGTERM: `node test/kube-api/main.ts [kubeconfig-path]`.
import { writeFileSync } from 'node:fs';
import { startKubeApi } from './server.ts';

const api = await startKubeApi({ namespaces: ['demo'] });
// Before the URL is printed: a caller may signal as soon as it reads it.
const shutdown = async () => {
  await api.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
const kubeconfig = api.kubeconfig({ namespace: 'demo' });
const path = process.argv[2];
if (path) writeFileSync(path, kubeconfig, { mode: 0o600 });
else process.stdout.write(kubeconfig);
console.log(api.url);
