import type { Connection } from './auth.ts';
import type { Chosen } from './environments.ts';
import { isClusterScoped } from './kustomize/gvk.ts';
import type { Manifest } from './manifests.ts';
import type { Preview } from './preview.ts';

interface Target {
  readonly doing: string;
  readonly chosen: Chosen | undefined;
  readonly preview: Preview | undefined;
  readonly conn: Connection;
  readonly namespace: string;
}

/** The log's first line: what the step does, and to which environment, cluster, context and namespace. */
export function targetLine(o: Target): string {
  const what = [o.chosen && `environment ${o.chosen.name} (${o.chosen.by})`, o.preview && `the preview of ${o.preview.shown}`].filter(Boolean).join(', ');
  // A server URL may carry a user and password (`https://user:pass@host`): the line shows the host.
  const where = [`cluster ${o.conn.server.replace(/\/\/[^/@]*@/, '//')}`, o.conn.context && `context ${o.conn.context}`, `namespace ${o.namespace}`].filter(Boolean).join(', ');
  return `${o.doing}${what ? ` ${what}` : ''}: ${where}`;
}

/**
 * The one namespace every namespaced object names, as an overlay's `namespace:` sets it: where the
 * step deploys although no setting says so. Undefined when they name several, or some name none.
 */
export function namespaceOfObjects(manifests: readonly Manifest[]): string | undefined {
  const named = new Set<string>();
  for (const { object } of manifests) {
    if (object.metadata.namespace) named.add(object.metadata.namespace);
    else if (!isClusterScoped(object.apiVersion, object.kind)) return undefined;
  }
  return named.size === 1 ? [...named][0] : undefined;
}
