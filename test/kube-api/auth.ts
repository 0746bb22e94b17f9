// Authentication (bearer tokens, client certificates) and authorization (system:masters, per-identity rules,
// and RBAC objects stored in the emulator), with the deny messages of the real RBAC authorizer.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Store, Obj } from './store.ts';

interface Rule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  namespaces?: string[];
}

export interface Identity {
  user: string;
  groups?: string[];
  token?: string;
  rules?: Rule[];
}

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
  /** rules from the emulator options; undefined means the identity is not restricted by options */
  rules?: Rule[];
  /** ServiceAccount identities get only what RBAC objects grant them */
  rbacOnly?: boolean;
}

export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export const anonymous: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'], rbacOnly: true };

const withAuthenticated = (groups: string[]) => (groups.includes('system:authenticated') ? groups : [...groups, 'system:authenticated']);

export class Authenticator {
  private readonly tokens = new Map<string, UserInfo>();
  readonly adminToken = randomBytes(24).toString('hex');

  constructor(identities: Identity[]) {
    this.tokens.set(this.adminToken, { username: 'admin', uid: 'admin-uid', groups: ['system:masters', 'system:authenticated'] });
    for (const id of identities) this.addIdentity(id);
  }

  addIdentity(id: Identity): string {
    const token = id.token ?? randomBytes(24).toString('hex');
    this.tokens.set(token, { username: id.user, uid: randomUUID(), groups: withAuthenticated(id.groups ?? []), rules: id.rules });
    return token;
  }

  tokenFor(user: string): string | undefined {
    for (const [t, u] of this.tokens) if (u.username === user) return t;
    return undefined;
  }

  lookup(token: string): UserInfo | undefined {
    return this.tokens.get(token);
  }

  /** A ServiceAccount token shaped like the JWT that TokenRequest returns (the signature is not verifiable). */
  issueServiceAccountToken(namespace: string, name: string, saUid: string, expirationSeconds: number, configured?: Identity): { token: string; expires: Date } {
    const iat = Math.floor(Date.now() / 1000);
    const jti = randomUUID();
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = {
      aud: ['https://kubernetes.default.svc.cluster.local'],
      exp: iat + expirationSeconds,
      iat,
      iss: 'https://kubernetes.default.svc.cluster.local',
      jti,
      'kubernetes.io': { namespace, serviceaccount: { name, uid: saUid } },
      nbf: iat,
      sub: `system:serviceaccount:${namespace}:${name}`,
    };
    const token = `${b64({ alg: 'RS256', kid: 'kube-api-emulator' })}.${b64(claims)}.${randomBytes(32).toString('base64url')}`;
    this.tokens.set(token, {
      username: claims.sub,
      uid: saUid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${jti}`] },
      rules: configured?.rules,
      rbacOnly: !configured || configured.rules !== undefined,
    });
    return { token, expires: new Date((iat + expirationSeconds) * 1000) };
  }
}

function ruleMatches(rule: { verbs?: unknown; apiGroups?: unknown; resources?: unknown; resourceNames?: unknown }, a: Attributes): boolean {
  const has = (list: unknown, v: string) => Array.isArray(list) && (list.includes('*') || list.includes(v));
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (!has(rule.verbs, a.verb) || !has(rule.apiGroups, a.group)) return false;
  if (!has(rule.resources, resource) && !(Array.isArray(rule.resources) && rule.resources.includes(`${a.resource}/*`))) return false;
  const names = rule.resourceNames;
  return !Array.isArray(names) || names.length === 0 || (a.name !== undefined && names.includes(a.name));
}

// What every authenticated user may do (system:basic-user and friends), so self reviews always work.
const basicRules = [
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
];

export const nonResourceRules = [
  { verbs: ['get'], nonResourceURLs: ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'] },
  { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'] },
  { verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] },
];

interface Grant {
  rules: Obj[];
  reason: string;
}

function subjectMatches(subject: Obj, user: UserInfo, bindingNamespace: string): string | undefined {
  const kind = subject.kind;
  if (kind === 'User' && subject.name === user.username) return `User "${user.username}"`;
  if (kind === 'Group' && user.groups.includes(String(subject.name))) return `Group "${subject.name}"`;
  if (kind === 'ServiceAccount') {
    const ns = (subject.namespace as string | undefined) ?? bindingNamespace;
    if (user.username === `system:serviceaccount:${ns}:${subject.name}`) return `ServiceAccount "${subject.name}/${ns}"`;
  }
  return undefined;
}

export class Authorizer {
  private readonly store: Store;
  constructor(store: Store) {
    this.store = store;
  }

  private grants(user: UserInfo, namespace: string | undefined): Grant[] {
    const out: Grant[] = [];
    const rbac = { group: 'rbac.authorization.k8s.io' };
    const roleRules = (roleRef: Obj, ns: string): Obj[] => {
      const role =
        roleRef.kind === 'ClusterRole'
          ? this.store.get({ ...rbac, resource: 'clusterroles' }, '', String(roleRef.name))
          : this.store.get({ ...rbac, resource: 'roles' }, ns, String(roleRef.name));
      return Array.isArray(role?.rules) ? (role.rules as Obj[]) : [];
    };
    for (const b of this.store.list({ ...rbac, resource: 'clusterrolebindings' })) {
      for (const s of (b.subjects as Obj[] | undefined) ?? []) {
        const who = subjectMatches(s, user, '');
        if (!who) continue;
        const ref = b.roleRef as Obj;
        out.push({ rules: roleRules(ref, ''), reason: `RBAC: allowed by ClusterRoleBinding "${(b.metadata as Obj).name}" of ClusterRole "${ref.name}" to ${who}` });
      }
    }
    if (namespace) {
      for (const b of this.store.list({ ...rbac, resource: 'rolebindings' }, namespace)) {
        for (const s of (b.subjects as Obj[] | undefined) ?? []) {
          const who = subjectMatches(s, user, namespace);
          if (!who) continue;
          const ref = b.roleRef as Obj;
          out.push({
            rules: roleRules(ref, namespace),
            reason: `RBAC: allowed by RoleBinding "${(b.metadata as Obj).name}/${namespace}" of ${ref.kind} "${ref.name}" to ${who}`,
          });
        }
      }
    }
    return out;
  }

  authorize(user: UserInfo, a: Attributes): { allowed: boolean; reason?: string } {
    if (user.groups.includes('system:masters')) return { allowed: true };
    if (!user.rbacOnly && !user.rules) return { allowed: true };
    if (user.groups.includes('system:authenticated') && basicRules.some((r) => ruleMatches(r, a))) return { allowed: true };
    for (const r of user.rules ?? []) {
      if (r.namespaces && (a.namespace === undefined || !r.namespaces.includes(a.namespace))) continue;
      if (ruleMatches(r, a)) return { allowed: true };
    }
    for (const g of this.grants(user, a.namespace)) if (g.rules.some((r) => ruleMatches(r, a))) return { allowed: true, reason: g.reason };
    return { allowed: false };
  }

  /** The rules a user has in a namespace, for SelfSubjectRulesReview. */
  rulesFor(user: UserInfo, namespace: string): Obj[] {
    const out: Obj[] = basicRules.map((r) => ({ ...r }));
    if (user.groups.includes('system:masters') || (!user.rbacOnly && !user.rules)) out.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
    for (const r of user.rules ?? []) {
      if (!r.namespaces || r.namespaces.includes(namespace)) out.push({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources });
    }
    for (const g of this.grants(user, namespace)) out.push(...g.rules.map((r) => ({ ...r })));
    return out;
  }
}

export function forbiddenMessage(user: UserInfo, a: Attributes): string {
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${subject} is forbidden: User "${user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`;
}
