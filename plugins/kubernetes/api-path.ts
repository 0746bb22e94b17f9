/** URLs of the Kubernetes API: the core group lives under /api, every other group under /apis. */

/** The discovery URL of a group-version: `/api/v1`, `/apis/apps/v1`. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The URL of an object, or of the list of its kind when no name is given. */
export function objectPath(apiVersion: string, resource: string, namespace: string | undefined, name?: string): string {
  return `${groupVersionPath(apiVersion)}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${resource}${name ? `/${encodeURIComponent(name)}` : ''}`;
}
