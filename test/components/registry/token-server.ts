import { execFileSync } from 'node:child_process';
import { createSign, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOGIN } from './index.ts';

/**
 * A token endpoint as Docker Hub, GHCR and Harbor run one, on loopback: it checks the Basic login,
 * grants the scopes asked for and signs a JWT that docker-registry's `auth: token` checks against
 * the certificate it trusts (RS256, the certificate in `x5c`). What it was asked is recorded.
 */
export interface TokenServer {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** The certificate the registry trusts. */
  readonly certFile: string;
  /** Each request's scopes and whether it carried the right login. */
  readonly requests: Array<{ scopes: string[]; authorized: boolean }>;
  /** Tokens handed out: secrets the plugin must not print. */
  readonly tokens: string[];
  close(): Promise<void>;
}

/** Why the stand-in cannot run here (it makes its certificate with openssl). */
export function tokenServerMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'openssl is missing (it makes the token signing certificate)';
  }
}

export async function startTokenServer(): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), 'token-server-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=sortie-token-stand-in'], { stdio: 'ignore' });
  const key = readFileSync(keyFile, 'utf8');
  const der = readFileSync(certFile, 'utf8').replace(/-----[A-Z ]+-----|\s/g, '');
  const service = 'sortie-test-registry';
  const issuer = 'sortie-token-stand-in';
  const requests: TokenServer['requests'] = [];
  const tokens: string[] = [];
  const expected = `Basic ${Buffer.from(`${LOGIN.username}:${LOGIN.password}`).toString('base64')}`;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const scopes = url.searchParams.getAll('scope');
    const authorized = req.headers.authorization === expected;
    requests.push({ scopes, authorized });
    if (!authorized || url.searchParams.get('service') !== service) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.map((s) => {
      const [type, name, actions] = s.split(':') as [string, string, string];
      return { type, name, actions: actions.split(',') };
    });
    const token = jwt({ alg: 'RS256', typ: 'JWT', x5c: [der] }, { iss: issuer, sub: LOGIN.username, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access }, key);
    tokens.push(token);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    requests,
    tokens,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        rmSync(dir, { recursive: true, force: true });
      }),
  };
}

function jwt(header: object, claims: object, key: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}
