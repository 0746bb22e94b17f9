// metav1.Status bodies exactly as the apiserver builds them (field order included).
type Obj = Record<string, unknown>;

export class ApiError extends Error {
  readonly code: number;
  readonly body: Obj | string;
  constructor(code: number, body: Obj | string) {
    super(typeof body === 'string' ? body : String(body.message));
    this.code = code;
    this.body = body;
  }
}

export function status(code: number, reason: string | undefined, message: string, details?: Obj): ApiError {
  const body: Obj = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message };
  if (reason) body.reason = reason;
  if (details) body.details = details;
  body.code = code;
  return new ApiError(code, body);
}

export interface Target {
  group: string;
  resource: string;
  kind: string;
  name?: string;
}

function details(t: Target, extra?: Obj): Obj {
  const d: Obj = {};
  if (t.name !== undefined) d.name = t.name;
  if (t.group) d.group = t.group;
  d.kind = t.resource;
  return { ...d, ...extra };
}

const qualified = (t: Target) => (t.group ? `${t.resource}.${t.group}` : t.resource);

export const notFound = (t: Target): ApiError => status(404, 'NotFound', `${qualified(t)} "${t.name}" not found`, details(t));

export const alreadyExists = (t: Target): ApiError => status(409, 'AlreadyExists', `${qualified(t)} "${t.name}" already exists`, details(t));

export const pageNotFound = (): ApiError => new ApiError(404, '404 page not found\n');

export const resourceNotFound = (): ApiError => status(404, 'NotFound', 'the server could not find the requested resource', {});

export const badRequest = (message: string): ApiError => status(400, 'BadRequest', message);

export const methodNotAllowed = (): ApiError => status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

export const conflictRv = (t: Target): ApiError =>
  status(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(t)} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`, details(t));

/** The NamespaceLifecycle admission plugin's answer to a create in a namespace being deleted. */
export const namespaceTerminating = (t: Target, namespace: string): ApiError =>
  status(403, 'Forbidden', `${qualified(t)} "${t.name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
    ...details(t),
    causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
  });

/** A second delete of a namespace whose content is still being removed. */
export const namespaceStillTerminating = (name: string): ApiError =>
  status(
    409,
    'Conflict',
    `Operation cannot be fulfilled on namespaces "${name}": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.`,
    { name, kind: 'namespaces' },
  );

export interface Cause {
  reason: string;
  message: string;
  field: string;
}

/** 422 Invalid: `Deployment.apps "x" is invalid: [a: ..., b: ...]` with one cause per problem. */
export function invalid(kind: string, group: string, name: string, causes: Cause[]): ApiError {
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const d: Obj = { name, group: group || undefined, kind, causes };
  if (!group) delete d.group;
  return status(422, 'Invalid', `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${summary}`, d);
}

export function success(t: Target, uid: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...details(t), uid } };
}
