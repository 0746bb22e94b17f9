import { PluginError } from '../../shared/errors.ts';
import { HttpError } from '../../shared/http.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { isStop } from '../../shared/stop.ts';
import { applyPlan } from './apply.ts';
import { connect } from './auth.ts';
import { type Chosen, chooseEnvironment, environmentsOf, withEnvironment } from './environments.ts';
import { errorFor } from './explain.ts';
import { heldLog } from './held-log.ts';
import { type KubeClient, createKubeClient } from './kube.ts';
import { isKustomizationDir, kustomizedManifests, refuseKustomizationFiles } from './kustomized.ts';
import { type KubeObject, type Manifest, findManifestFiles, parseManifests, readManifestFiles, secretValues, templateText } from './manifests.ts';
import { mapPool } from './map-pool.ts';
import { type Planned, type Scope, kindsDefinedBy, plan, scopeKey } from './plan.ts';
import { type Preview, previewNamespaceObject, previewOf } from './preview.ts';
import { checkPreviewNamespace, cleanupPreviews, teardown } from './preview-run.ts';
import { prune } from './prune.ts';
import { renderManifest } from './render.ts';
import { type Target, type WaitOptions, waitFor } from './rollout.ts';
import { setImages } from './set-image.ts';
import { namespaceOfObjects, targetLine } from './target-line.ts';
import type { Settings } from './settings.ts';
import { gatewayKey, gatewaysNeeded, reachableUrls } from './urls.ts';

/** The settings, with the chosen environment's laid over them. */
type Values = PluginInput<Settings>['settings'];

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
  const { log, build } = input;
  const { s, chosen, preview, mode } = resolve(input);
  const setImageMode = s.deployment.length > 0;

  // Manifests first: a mistake in them needs no cluster to be found.
  const building = heldLog(log);
  const manifests = mode === 'deploy' && !setImageMode
    ? await loadManifests(s, { ...input, log: building.log }).catch((err) => {
        building.release();
        throw err;
      })
    : [];
  const conn = await connect(s, input.env, build.workspace, input.registerSecrets);
  const kube = createKubeClient(conn, { signal: input.signal, deadline: input.deadline, log });
  const namespace = preview?.namespace ?? s.namespace ?? conn.namespace ?? 'default';
  const shown = preview || s.namespace ? namespace : (namespaceOfObjects(manifests) ?? namespace);
  log.info(targetLine({ doing: DOING[mode], chosen, preview, conn, namespace: shown }));
  building.release();
  log.debug(`API server ${conn.server} as ${conn.identity}`);
  if (!conn.rejectUnauthorized) {
    const by = s.insecure_skip_tls_verify ? 'insecure_skip_tls_verify is on' : 'the kubeconfig says insecure-skip-tls-verify';
    log.warn(`${by}: the API server's certificate is not checked, so anyone on the network path can impersonate it`);
  }
  const restartAt = s.restart ? new Date().toISOString() : undefined;
  try {
    if (mode === 'teardown') {
      await teardown(kube, preview!, { dryRun: s.dry_run, wait: s.wait, pollMs: POLL_MS, signal: input.signal, log });
      return 0;
    }
    if (s.preview_cleanup) {
      await cleanupPreviews(kube, build.repo.slug, { dryRun: s.dry_run, keep: preview?.namespace, now: new Date(), concurrency: CONCURRENCY, log });
    }
    if (mode === 'cleanup') return 0;
    if (preview) {
      const existing = await checkPreviewNamespace(kube, preview);
      if (setImageMode && existing === 'new') throw new PluginError(`settings.deployment updates images in namespace ${namespace}, which does not exist yet: deploy the preview's manifests first`);
      const object = previewNamespaceObject(preview, new Date(Date.now() + s.preview_ttl));
      manifests.unshift({ object, source: { file: 'settings.preview', line: 0, text: '' } });
    }
    if (setImageMode) return await setImages(kube, { ...input, settings: s }, { namespace, restartAt, concurrency: CONCURRENCY, wait: waitOptions(input, s) });

    const p = plan({
      manifests,
      scopes: await discover(kube, manifests),
      namespace,
      namespaceGiven: s.namespace !== undefined || preview !== undefined,
      namespaceSetBy: preview ? "the preview's namespace" : chosen?.environment.namespace ? `settings.environments.${chosen.name}.namespace` : undefined,
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
    if (s.wait) await waitFor(kube, p.waits.map(targetOf), waitOptions(input, s));
    const urls = reachableUrls(p.objects, await readGateways(kube, p.objects));
    if (urls.length > 0) log.info(`reachable at ${urls.join(', ')}`);
    return 0;
  } catch (err) {
    if (err instanceof HttpError && err.status === 0) throw errorFor(err, { action: 'connect' }, conn);
    throw err;
  }
}

type Mode = 'deploy' | 'teardown' | 'cleanup';

const DOING: Record<Mode, string> = { deploy: 'deploying', teardown: 'tearing down', cleanup: 'cleaning up previews' };

/**
 * The settings of this run, the chosen environment's laid over the step's, and what it does: deploy
 * (and maybe clean up first), tear a preview down, or only clean up expired previews.
 */
function resolve(input: PluginInput<Settings>): { s: Values; chosen: Chosen | undefined; preview: Preview | undefined; mode: Mode } {
  const { build } = input;
  const chosen = chooseEnvironment({
    environments: environmentsOf(input.settings.environments),
    deployTo: build.build.deployTo,
    deployToVariable: input.env.DRONE_DEPLOY_TO ? 'DRONE_DEPLOY_TO' : 'CI_PIPELINE_DEPLOY_TARGET',
    environment: input.settings.environment,
  });
  const configured = chosen ? withEnvironment(input.settings, chosen, build.workspace) : input.settings;
  const preview = configured.preview ? previewOf(configured.preview_prefix, build) : undefined;
  if (preview && chosen?.environment.namespace) {
    throw new PluginError(`settings.environments.${chosen.name}.namespace and settings.preview exclude each other: a preview deploys into its own namespace`);
  }
  // Hosts and links in the manifests are made of it: `${PREVIEW_NAMESPACE}.preview.example.com`.
  const s = preview ? { ...configured, vars: { PREVIEW_NAMESPACE: preview.namespace, ...configured.vars } } : configured;
  if (s.preview_cleanup && !build.repo.slug) throw new PluginError('settings.preview_cleanup needs the repository (DRONE_REPO or CI_REPO), which this build does not set');
  if (s.action === 'teardown') return { s, chosen, preview, mode: 'teardown' };
  if (s.deployment.length > 0 || s.manifests.length > 0 || s.template !== undefined || s.kustomize !== undefined) return { s, chosen, preview, mode: 'deploy' };
  if (s.preview_cleanup) return { s, chosen, preview, mode: 'cleanup' };
  // The rules let `environments` stand for the manifests: the chosen one must name some.
  throw new PluginError(`environment ${chosen?.name} has nothing to deploy: settings.environments.${chosen?.name}.manifests and .kustomize, and the step's manifests, kustomize, template and deployment, are all unset`);
}

/** `kustomize` and the directories in `manifests` that hold a kustomization, built; then the other manifests and `template`, rendered. */
async function loadManifests(s: Values, input: PluginInput<Settings>): Promise<Manifest[]> {
  const { build, env, registerSecrets } = input;
  const kustomizations = [...(s.kustomize ? [s.kustomize] : []), ...s.manifests.filter((m) => isKustomizationDir(m, build.workspace))];
  const files = s.manifests.filter((m) => !kustomizations.includes(m));
  const found = files.length > 0 ? findManifestFiles(files, build.workspace) : [];
  refuseKustomizationFiles(found);
  const texts = [
    ...readManifestFiles(found, build.workspace),
    ...(s.template ? [templateText(s.template, build.workspace)] : []),
  ];
  const built: Manifest[][] = [];
  for (const dir of kustomizations) built.push(await kustomizedManifests(dir, { ...input, settings: s }));
  const rendered = await Promise.all(texts.map((t) => renderManifest(t, s.vars, env, build, registerSecrets)));
  const manifests = [...built.flat(), ...rendered.flatMap(parseManifests)];
  // The values of Secrets a kustomization generates are only known now: masked before any line is logged.
  registerSecrets(secretValues(manifests));
  for (const [i, dir] of kustomizations.entries()) input.log.info(`kustomize: built ${dir} into ${built[i]!.length} objects`);
  if (manifests.length === 0) throw new PluginError(`the manifests hold no objects (${[...kustomizations, ...texts.map((t) => t.name)].join(', ')})`);
  return manifests;
}

/** The Gateways the applied HTTPRoutes attach to: from this apply, else as the cluster has them. */
async function readGateways(kube: KubeClient, objects: readonly Planned[]): Promise<Map<string, KubeObject>> {
  const out = new Map<string, KubeObject>();
  for (const p of objects) if (p.group === 'gateway.networking.k8s.io' && p.object.kind === 'Gateway') out.set(gatewayKey(p.namespace, p.object.metadata.name), p.object);
  const missing = [...gatewaysNeeded(objects)].filter(([key]) => !out.has(key));
  await mapPool(missing, CONCURRENCY, async ([key, g]) => {
    // Only to tell https from http: a Gateway this step may not read leaves its routes at http.
    const gw = await kube.call<KubeObject>('GET', `/apis/gateway.networking.k8s.io/v1/namespaces/${g.namespace}/gateways/${g.name}`).catch((err) => {
      if (isStop(err)) throw err;
      return undefined;
    });
    if (gw) out.set(key, gw.body);
  });
  return out;
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

function waitOptions({ signal, deadline, log }: PluginInput<Settings>, s: Values): WaitOptions {
  return { timeoutMs: s.timeout, deadline, signal, pollMs: POLL_MS, rollback: s.rollback_on_failure, log };
}

function targetOf(p: Planned): Target {
  return { label: p.label, kind: p.object.kind, path: p.path, namespace: p.namespace, name: p.object.metadata.name! };
}
