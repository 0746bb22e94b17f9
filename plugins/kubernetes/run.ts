import { PluginError } from '../../shared/errors.ts';
import { HttpError } from '../../shared/http.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { applyPlan } from './apply.ts';
import { connect } from './auth.ts';
import { errorFor } from './explain.ts';
import { type KubeClient, createKubeClient } from './kube.ts';
import { isKustomizationDir, kustomizedManifests, refuseKustomizationFiles } from './kustomized.ts';
import { type Manifest, findManifestFiles, parseManifests, readManifestFiles, secretValues, templateText } from './manifests.ts';
import { mapPool } from './map-pool.ts';
import { type Planned, type Scope, kindsDefinedBy, plan, scopeKey } from './plan.ts';
import { prune } from './prune.ts';
import { renderManifest } from './render.ts';
import { type Target, type WaitOptions, waitFor } from './rollout.ts';
import { setImages } from './set-image.ts';
import type { Settings } from './settings.ts';

/**
 * Requests in flight at once. A real API server is bound by latency (about 22 ms an apply), and a
 * new object costs a dry run and an apply: at 32 a 500-object create took 1.34x a bare client's 500
 * applies at 16, at 64 it takes 1.16x. 64 is a quarter of the seats API priority and fairness gives
 * service accounts (workload-low: about 245 of a default 600), which queues it fairly against other
 * users; past that the server answers 429 and the client waits as Retry-After says.
 */
const CONCURRENCY = 64;
const POLL_MS = 1000;

export async function run(input: PluginInput<Settings>): Promise<number> {
  const { settings: s, log, build } = input;
  const setImageMode = s.deployment.length > 0;

  // Manifests first: a mistake in them needs no cluster to be found.
  const manifests = setImageMode ? [] : await loadManifests(input);
  const conn = await connect(s, input.env, build.workspace, input.registerSecrets);
  const kube = createKubeClient(conn, { signal: input.signal, deadline: input.deadline, log });
  log.debug(`API server ${conn.server} as ${conn.identity}`);
  if (!conn.rejectUnauthorized) {
    const by = s.insecure_skip_tls_verify ? 'insecure_skip_tls_verify is on' : 'the kubeconfig says insecure-skip-tls-verify';
    log.warn(`${by}: the API server's certificate is not checked, so anyone on the network path can impersonate it`);
  }
  const namespace = s.namespace ?? conn.namespace ?? 'default';
  const restartAt = s.restart ? new Date().toISOString() : undefined;
  try {
    if (setImageMode) return await setImages(kube, input, { namespace, restartAt, concurrency: CONCURRENCY, wait: waitOptions(input) });

    const p = plan({
      manifests,
      scopes: await discover(kube, manifests),
      namespace,
      namespaceGiven: s.namespace !== undefined,
      createNamespace: s.create_namespace,
      allowNamespaceOverride: s.allow_namespace_override,
      restartAt,
    });

    const applied = await applyPlan(kube, p, {
      fieldManager: s.field_manager,
      force: s.force_conflicts,
      dryRun: s.dry_run,
      diff: s.diff,
      concurrency: CONCURRENCY,
      log,
    });
    if (s.prune) await prune(kube, p.objects, { selector: s.prune_label!, dryRun: s.dry_run, concurrency: CONCURRENCY, log });
    if (s.dry_run) {
      log.info(`dry run of ${p.objects.length} objects: nothing was changed`);
      return 0;
    }
    const counts = ['created', 'configured', 'unchanged'].map((a) => `${applied.filter((x) => x.action === a).length} ${a}`).join(', ');
    log.info(`applied ${applied.length} objects (${counts}) with ${kube.sent} requests`);
    if (s.wait) await waitFor(kube, p.waits.map(targetOf), waitOptions(input));
    return 0;
  } catch (err) {
    if (err instanceof HttpError && err.status === 0) throw errorFor(err, { action: 'connect' }, conn);
    throw err;
  }
}

/** `kustomize` and the directories in `manifests` that hold a kustomization, built; then the other manifests and `template`, rendered. */
async function loadManifests(input: PluginInput<Settings>): Promise<Manifest[]> {
  const { settings: s, build, env, registerSecrets } = input;
  const kustomizations = [...(s.kustomize ? [s.kustomize] : []), ...s.manifests.filter((m) => isKustomizationDir(m, build.workspace))];
  const files = s.manifests.filter((m) => !kustomizations.includes(m));
  const found = files.length > 0 ? findManifestFiles(files, build.workspace) : [];
  refuseKustomizationFiles(found);
  const texts = [
    ...readManifestFiles(found, build.workspace),
    ...(s.template ? [templateText(s.template, build.workspace)] : []),
  ];
  const built: Manifest[][] = [];
  for (const dir of kustomizations) built.push(await kustomizedManifests(dir, input));
  const rendered = await Promise.all(texts.map((t) => renderManifest(t, s.vars, env, build, registerSecrets)));
  const manifests = [...built.flat(), ...rendered.flatMap(parseManifests)];
  // The values of Secrets a kustomization generates are only known now: masked before any line is logged.
  registerSecrets(secretValues(manifests));
  for (const [i, dir] of kustomizations.entries()) input.log.info(`kustomize: built ${dir} into ${built[i]!.length} objects`);
  if (manifests.length === 0) throw new PluginError(`the manifests hold no objects (${[...kustomizations, ...texts.map((t) => t.name)].join(', ')})`);
  return manifests;
}

/** Whether each kind is namespaced, and its URL name: discovery once per group-version, in parallel. */
async function discover(kube: KubeClient, manifests: readonly Manifest[]): Promise<Map<string, Scope | undefined>> {
  // A kind defined by a CRD of this apply may not be served yet: the CRD says all plan() needs.
  const defined = kindsDefinedBy(manifests);
  const kinds = new Map(manifests.map(({ object: o }) => [scopeKey(o.apiVersion, o.kind), o] as const).filter(([key]) => !defined.has(key)));
  const scopes = new Map<string, Scope | undefined>();
  await mapPool([...kinds], CONCURRENCY, async ([key, { apiVersion, kind }]) => {
    const r = await kube.resource(apiVersion, kind).catch((err) => {
      throw errorFor(err, { action: 'discover', what: `the kinds of apiVersion ${apiVersion}` }, kube.connection);
    });
    scopes.set(key, r && { name: r.name, namespaced: r.namespaced });
  });
  return scopes;
}

function waitOptions({ settings: s, signal, deadline, log }: PluginInput<Settings>): WaitOptions {
  return { timeoutMs: s.timeout, deadline, signal, pollMs: POLL_MS, rollback: s.rollback_on_failure, log };
}

function targetOf(p: Planned): Target {
  return { label: p.label, kind: p.object.kind, path: p.path, namespace: p.namespace, name: p.object.metadata.name! };
}
