import { cpSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Puts the example shop's manifests (`app/`) into a workspace as `k8s/`, where `demoEnv` looks, and
 * what only previews add (`preview/`) as `k8s-preview/`, where `previewEnv` looks.
 */
export function copyDemoManifests(workspace: string): void {
  cpSync(join(import.meta.dirname, 'app'), join(workspace, 'k8s'), { recursive: true });
  cpSync(join(import.meta.dirname, 'preview'), join(workspace, 'k8s-preview'), { recursive: true });
}

/**
 * The settings under which `dist/kubernetes.js` deploys the example shop to a cluster: the
 * emulator in `npm start`. Merge them over the build's DRONE_* environment, in a workspace that
 * `copyDemoManifests` filled: manifests stay in the workspace. The RBAC examples (`rbac/`) are for
 * the README, not the demo: the emulator's admin needs none.
 */
export function demoEnv(kubeconfig: string, opts: { buildNumber?: number } = {}): Record<string, string> {
  return {
    ...(opts.buildNumber === undefined ? {} : { DRONE_BUILD_NUMBER: String(opts.buildNumber) }),
    // base64, as a kubeconfig is usually stored in a Drone secret.
    PLUGIN_KUBECONFIG: Buffer.from(kubeconfig).toString('base64'),
    PLUGIN_NAMESPACE: 'shop',
    PLUGIN_CREATE_NAMESPACE: 'true',
    PLUGIN_MANIFESTS: 'k8s/',
    PLUGIN_VARS: JSON.stringify({ GREETING: 'hello from the demo', REPLICAS: '2', IMAGE_TAG: '1.27' }),
    PLUGIN_PRUNE: 'true',
    PLUGIN_PRUNE_LABEL: 'app.kubernetes.io/part-of=shop',
    PLUGIN_DIFF: 'true',
    PLUGIN_TIMEOUT: '60s',
  };
}

/**
 * The settings of a preview environment of the example shop for branch `feature/checkout`: its own
 * namespace, created with the preview labels and an expiry, and its Ingress host. Add
 * `PLUGIN_ACTION: 'teardown'` to delete it again.
 */
export function previewEnv(kubeconfig: string): Record<string, string> {
  const shop = demoEnv(kubeconfig);
  return {
    DRONE_COMMIT_BRANCH: 'feature/checkout',
    DRONE_COMMIT_REF: 'refs/heads/feature/checkout',
    PLUGIN_KUBECONFIG: shop.PLUGIN_KUBECONFIG!,
    PLUGIN_TIMEOUT: shop.PLUGIN_TIMEOUT!,
    PLUGIN_MANIFESTS: `${shop.PLUGIN_MANIFESTS},k8s-preview/`,
    PLUGIN_VARS: shop.PLUGIN_VARS!.replace('hello from the demo', 'hello from a preview'),
    PLUGIN_PREVIEW: 'true',
    PLUGIN_PREVIEW_CLEANUP: 'true',
  };
}
