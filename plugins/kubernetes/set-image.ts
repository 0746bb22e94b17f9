/**
 * The drone-kubernetes way: a new image for existing Deployments (`deployment`, `repo`, `tag`), no
 * manifest. The patch is planned from the live Deployment without I/O; `setImages` reads and sends.
 */
import { PluginError } from '../../shared/errors.ts';
import { HttpError } from '../../shared/http.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { objectPath } from './api-path.ts';
import { errorFor } from './explain.ts';
import type { KubeClient } from './kube.ts';
import { mapPool } from './map-pool.ts';
import { RESTARTED_AT, labelOf } from './plan.ts';
import { type Target, type WaitOptions, waitFor } from './rollout.ts';
import type { Settings } from './settings.ts';

interface SetImageOptions {
  readonly namespace: string;
  readonly restartAt: string | undefined;
  readonly concurrency: number;
  readonly wait: WaitOptions;
}

/** `repo:tag`, or `repo@sha256:...` for a digest. */
export function imageOf(repo: string, tag: string): string {
  return /^sha256:[a-f0-9]{64}$/.test(tag) ? `${repo}@${tag}` : `${repo}:${tag}`;
}

/**
 * The strategic merge patch that sets the image of the named containers (the only one when none is
 * named) of a live workload, as `kubectl set image` sends: containers merge by name.
 */
export function imagePatch(
  label: string,
  workload: { spec?: { template?: { spec?: { containers?: Array<{ name: string; image?: string }> } } } },
  containers: readonly string[],
  image: string,
  restartAt: string | undefined,
): Record<string, unknown> {
  const names = (workload.spec?.template?.spec?.containers ?? []).map((c) => c.name);
  const wanted = containers.length > 0 ? containers : names.length === 1 ? names : undefined;
  if (!wanted) {
    throw new PluginError(`${label} has ${names.length} containers (${names.join(', ')}): say which in settings.container`, { hint: `Example: container: [${names[0] ?? 'app'}]` });
  }
  const missing = wanted.filter((n) => !names.includes(n));
  if (missing.length > 0) throw new PluginError(`${label} has no container ${missing.map((n) => `"${n}"`).join(', ')}; its containers are: ${names.join(', ')}`);
  const template: Record<string, unknown> = { spec: { containers: wanted.map((name) => ({ name, image })) } };
  if (restartAt) template.metadata = { annotations: { [RESTARTED_AT]: restartAt } };
  return { spec: { template } };
}


export async function setImages(kube: KubeClient, { settings: s, log }: PluginInput<Settings>, o: SetImageOptions): Promise<number> {
  let tag = s.tag;
  if (tag?.includes(',')) {
    // drone-kubernetes documented `tag:` as a list, which Drone joins with commas.
    tag = tag.split(',')[0]!.trim();
    log.warn(`settings.tag has several values; using the first, ${tag}`);
  }
  // The rules say deployment needs repo and tag.
  const image = imageOf(s.repo!, tag!);
  const targets = s.deployment.map((name): Target => ({
    label: labelOf('Deployment', 'apps', name),
    kind: 'Deployment',
    path: objectPath('apps/v1', 'deployments', o.namespace, name),
    namespace: o.namespace,
    name,
  }));
  await mapPool(targets, o.concurrency, async (t) => {
    const doing = { action: 'update the image of', what: `${t.label} in namespace ${o.namespace}` };
    try {
      const { body } = await kube.call<Parameters<typeof imagePatch>[1]>('GET', t.path);
      const patch = imagePatch(t.label, body, s.container, image, o.restartAt);
      await kube.call('PATCH', t.path, {
        query: { fieldManager: s.field_manager, dryRun: s.dry_run ? 'All' : undefined },
        body: patch,
        contentType: 'application/strategic-merge-patch+json',
      });
      log.info(`${t.label} image set to ${image}${s.dry_run ? ' (dry run)' : ''}`);
    } catch (err) {
      if (err instanceof PluginError && !(err instanceof HttpError)) throw err;
      throw errorFor(err, doing, kube.connection);
    }
  });
  if (s.wait && !s.dry_run) await waitFor(kube, targets, o.wait);
  return 0;
}
