import { type Rules, setting } from '../../shared/settings/index.ts';
import { kubeconfigSecrets, pemSecrets } from './credentials.ts';
import { environmentsProblem } from './environments.ts';
import { pemProblem } from './pem.ts';

const DEFAULT_SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export const settings = {
  // Auth: the first of kubeconfig, server (+ token or client cert), in-cluster service account.
  kubeconfig: setting.string({
    doc: 'A kubeconfig file, as YAML or base64. Takes precedence over `server`; without either, the in-cluster service account is used.',
    secret: true,
    secrets: kubeconfigSecrets,
    aliases: ['kube_config'],
    env: ['KUBECONFIG_DATA'],
    example: '{from_secret: kubeconfig}',
  }),
  context: setting.string({ doc: "The kubeconfig context to use; the kubeconfig's current-context by default.", example: 'production' }),
  server: setting.string({
    doc: 'The API server URL, used with `token` or `client_cert`/`client_key`.',
    aliases: ['kubernetes_server', 'kube_api_server', 'api_server'],
    example: 'https://kube.example.com:6443',
  }),
  token: setting.string({
    doc: 'A bearer token for `server` (a service account token).',
    secret: true,
    aliases: ['kubernetes_token', 'kube_token'],
    example: '{from_secret: kube_token}',
  }),
  ca: setting.string({
    doc: "The API server's CA certificate, PEM or base64 of PEM. Without it the system trust store is used.",
    aliases: ['kubernetes_cert', 'kube_certificate', 'kubernetes_certificate', 'ca_cert'],
    example: '{from_secret: kube_ca}',
    validate: pemProblem,
  }),
  client_cert: setting.string({ doc: 'A client certificate (PEM or base64) for `server`, instead of `token`.', validate: pemProblem }),
  client_key: setting.string({ doc: "The client certificate's private key (PEM or base64).", secret: true, secrets: pemSecrets, validate: pemProblem }),
  insecure_skip_tls_verify: setting.bool({
    doc: "Do not verify the API server's certificate. Insecure: prefer `ca`.",
    aliases: ['skip_tls_verify', 'skip_tls'],
  }),
  // Where the pod mounts its credentials, not a workspace path.
  service_account_dir: setting.string({
    doc: 'Where the in-cluster service account (token, ca.crt, namespace) is mounted.',
    default: DEFAULT_SERVICE_ACCOUNT_DIR,
  }),

  // What to apply.
  manifests: setting.list({
    doc: 'Manifest files, directories (searched recursively for *.yaml, *.yml, *.json) and globs, applied in the order given.',
    aliases: ['files', 'manifest'],
    example: '[k8s/]',
    path: 'workspace-glob',
  }),
  template: setting.string({
    doc: 'A manifest given inline, or the path of one; also `{type: yaml, data: "..."}`. Rendered like `manifests`.',
    example: 'k8s/deployment.yaml',
    path: 'workspace-or-text',
  }),
  kustomize: setting.string({
    doc: 'A directory holding `kustomization.yaml` (`.yml`, `Kustomization`), built as `kubectl kustomize` builds it and applied before `manifests`. A directory in `manifests` that holds one is built the same way.',
    example: 'deploy/overlays/production',
    path: 'workspace',
  }),
  load_restrictor: setting.string({
    doc: "`rootOnly`: a kustomization reads files only below its own directory (bases are directories of their own); `none`: anywhere in the workspace. As kustomize's `--load-restrictor`, whose values `LoadRestrictionsRootOnly` and `LoadRestrictionsNone` work too.",
    choices: ['rootOnly', 'none', 'LoadRestrictionsRootOnly', 'LoadRestrictionsNone'],
    default: 'rootOnly',
  }),
  vars: setting.map({ doc: 'Variables for `${VAR}` and `{{vars.name}}` in manifests.', example: '{replicas: 3}' }),
  namespace: setting.string({ doc: 'The namespace of namespaced objects that do not name one; the kubeconfig or service account namespace by default.' }),
  create_namespace: setting.bool({ doc: '`namespace` is applied (created if missing) before the manifests. Needs cluster-scoped rights.' }),
  allow_namespace_override: setting.bool({ doc: 'Objects may name a namespace other than `namespace`.' }),

  // Where to deploy: environments and promotion.
  environments: setting.json({
    doc: 'Deploy targets: for each name, any of `namespace`, `context`, `kustomize`, `vars` (added to the step\'s) and `manifests`, which override the step\'s settings (an environment\'s `manifests` or `kustomize` replaces all of the step\'s `manifests`, `kustomize` and `template`). The target is the promotion\'s (`DRONE_DEPLOY_TO`, `CI_PIPELINE_DEPLOY_TARGET`), else `environment`.',
    example: '{staging: {namespace: shop-staging}, production: {namespace: shop, context: prod}}',
    validate: environmentsProblem,
  }),
  environment: setting.string({ doc: 'The target of `environments` for builds that are no promotion (a push deploys to `staging`).', example: 'staging' }),

  // Preview environments: a namespace per branch or pull request.
  preview: setting.bool({ doc: 'Deploy into a namespace of the branch or pull request, `<preview_prefix>-<branch>`, created with preview labels and an expiry each deploy pushes forward.' }),
  preview_prefix: setting.string({
    doc: 'The start of preview namespace names.',
    default: 'preview',
    validate: (v) => (/^[a-z]([a-z0-9-]{0,28}[a-z0-9])?$/.test(v) ? undefined : 'expected lower case letters, digits and dashes, starting with a letter, at most 30'),
  }),
  preview_ttl: setting.duration({ doc: 'How long a preview namespace lives after its last deploy, for `preview_cleanup`.', default: 72 * 3_600_000 }),
  preview_cleanup: setting.bool({ doc: "Delete the repository's preview namespaces whose expiry has passed (listed in the log; `dry_run` only lists them)." }),
  action: setting.string({
    doc: "`teardown` deletes the branch's (or pull request's) preview namespace instead of deploying.",
    choices: ['deploy', 'teardown'],
    default: 'deploy',
    noChoice: 'deploy',
  }),

  // How to apply.
  field_manager: setting.string({ doc: 'The server-side apply field manager.', default: 'sortie' }),
  force_conflicts: setting.bool({ doc: 'Take over fields owned by another field manager (kubectl, a controller).', default: true }),
  dry_run: setting.bool({ doc: 'Validate everything on the server (dry run) and print what would change; change nothing.' }),
  diff: setting.bool({ doc: 'Print a diff of each object against the cluster (Secret values masked).' }),
  restart: setting.bool({ doc: 'Restart Deployments, StatefulSets and DaemonSets even when their spec is unchanged (as `kubectl rollout restart`).' }),
  prune: setting.bool({ doc: 'Delete objects that carry `prune_label` and are of an applied kind, in an applied namespace, but are not in this apply.' }),
  prune_label: setting.string({ doc: 'The label selector that marks objects this pipeline owns, for `prune`.', example: 'app.kubernetes.io/part-of=shop' }),

  // Image update without a manifest (the drone-kubernetes way).
  deployment: setting.list({ doc: 'Deployments whose image to update, instead of applying manifests.', example: '[web]' }),
  container: setting.list({ doc: 'Containers to update in `deployment`; the only container by default.', example: '[app]' }),
  repo: setting.string({ doc: 'The image repository for `deployment`.', example: 'registry.example.com/team/web' }),
  tag: setting.string({ doc: 'The image tag (or `sha256:` digest) for `deployment`.', example: '${DRONE_COMMIT_SHA:0:8}' }),

  // Waiting.
  wait: setting.bool({ doc: 'Wait for Deployments, StatefulSets, DaemonSets and Jobs to be ready or complete.', default: true }),
  timeout: setting.duration({ doc: 'Time allowed for the whole step: connecting, every request and retry, and the wait for rollouts; a bare number is seconds, `0` no limit.', default: 300_000 }),
  rollback_on_failure: setting.bool({ doc: 'Undo a failed Deployment rollout to the previous revision.' }),
} as const;

export type Settings = typeof settings;

export const rules: Rules<Settings> = {
  // A credential without `server` would be ignored, and the step deploy as the pod's service account.
  requires: {
    server: [['token', 'client_cert']],
    token: [['server', 'kubeconfig']],
    client_cert: [['server', 'kubeconfig']],
    client_key: [['server', 'kubeconfig']],
    deployment: ['repo', 'tag'],
    prune: ['prune_label'],
    environment: ['environments'],
    action: ['preview'],
  },
  together: [['client_cert', 'client_key']],
  // An environment may name the manifests; a teardown or a cleanup needs none.
  oneOf: [['manifests', 'template', 'kustomize', 'deployment', 'environments', 'action', 'preview_cleanup']],
  exclusive: [
    ['token', 'client_cert'],
    ['manifests', 'deployment'],
    ['template', 'deployment'],
    ['preview', 'namespace'],
    ['kustomize', 'deployment'],
  ],
};
