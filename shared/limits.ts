/**
 * Every size limit on what a step reads, in one place. Each is far above what a real pipeline
 * reaches and far below what would take the step's memory (a plugin should stay well under
 * 200 MB), so a hostile or broken input is refused in seconds with a message instead of an
 * out-of-memory kill.
 */

const MiB = 1024 * 1024;

/**
 * A manifest, template or kubeconfig-sized file. The largest real manifests (bundles of CRDs such as
 * kube-prometheus') are a few MiB; the API server takes at most 3 MiB a request.
 */
export const MAX_INPUT_FILE_BYTES = 16 * MiB;

/**
 * What one template or manifest may render to, in characters (16 MiB of ASCII). Checked while
 * rendering, so a template that would produce gigabytes (a nested `#each` over `repeat`) stops at
 * this size instead of after it.
 */
export const MAX_RENDERED_CHARS = 16 * MiB;

/**
 * Runs of block bodies (`{{#each}}`, `{{#if}}` ...) one render may make. Many small pieces cost
 * memory of their own (each run leaves about 1 KB for the garbage collector), so 50,000 runs stay
 * near 50 MB; real templates loop over tens or hundreds of items.
 */
export const MAX_TEMPLATE_BLOCK_RUNS = 50_000;

/**
 * Nodes (mappings, lists and scalars) one YAML file holds once every alias is expanded. An alias
 * costs nothing to parse but everything to send: a "billion laughs" file of a few hundred bytes
 * expands to 10^9 nodes. The largest CRD schemas hold about 100,000.
 */
export const MAX_YAML_NODES = 1_000_000;

/**
 * The runner's status file: a pod's annotations, which Kubernetes caps at 256 KiB in total.
 */
export const MAX_STATUS_FILE_BYTES = 1 * MiB;

/** Small workspace files: kaniko's `.tags`, a Slack thread timestamp, a service account token. */
export const MAX_SMALL_FILE_BYTES = 64 * 1024;

/**
 * How deep a JSON setting may nest: deeper than any real one (a Docker config.json is 4 levels,
 * Block Kit about 8), and shallow enough that a hostile value is refused before the parser builds it.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * A tzdata (TZif) file, read for a template's zone abbreviations from `ZONEINFO`. The largest real
 * ones are under 4 KiB; the cap keeps a `ZONEINFO` naming something else from being read whole.
 */
export const MAX_ZONEINFO_BYTES = 64 * 1024;

/**
 * One HTTP answer's body. The largest real answers are a Kubernetes list page of 500 objects or an
 * OpenAPI document, a few MiB each; a server or proxy streaming without end is cut off here.
 */
export const MAX_HTTP_BODY_BYTES = 64 * MiB;

/**
 * One line of a streamed answer (a Kubernetes watch event: one object). The API server stores
 * objects of at most 1.5 MiB; a stream whose line runs on past this is cut off.
 */
export const MAX_STREAM_LINE_BYTES = 16 * MiB;

/** How much of a server's unexpected answer an error quotes. */
export const MAX_QUOTED_ANSWER_CHARS = 200;

export function formatBytes(n: number): string {
  return n >= MiB ? `${Math.round((n / MiB) * 10) / 10} MiB` : n >= 1024 ? `${Math.round(n / 102.4) / 10} KiB` : `${n} bytes`;
}
