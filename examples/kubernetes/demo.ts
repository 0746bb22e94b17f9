import { cpSync } from 'node:fs';
import { join } from 'node:path';

/** Puts the example shop's kustomize base and overlays (`kustomize/`) into a workspace as `deploy/`, where `overlayEnv` looks. */
export function copyDemoKustomize(workspace: string): void {
  cpSync(join(import.meta.dirname, 'kustomize'), join(workspace, 'deploy'), { recursive: true });
}

/** The settings that deploy one overlay of the example shop (`staging`, `production`), its image tag rendered into the build. */
export function overlayEnv(kubeconfig: string, overlay: string, imageTag: string): Record<string, string> {
  return {
    PLUGIN_KUBECONFIG: Buffer.from(kubeconfig).toString('base64'),
    PLUGIN_KUSTOMIZE: `deploy/overlays/${overlay}`,
    PLUGIN_VARS: JSON.stringify({ IMAGE_TAG: imageTag }),
    PLUGIN_TIMEOUT: '60s',
  };
}

/** Puts the example shop's manifests (`app/`) into a workspace as `k8s/`, where `demoEnv` looks. */
export function copyDemoManifests(workspace: string): void {
  cpSync(join(import.meta.dirname, 'app'), join(workspace, 'k8s'), { recursive: true });
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
