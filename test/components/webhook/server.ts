import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A webhook receiver on loopback, checking what receivers check: the HMAC-SHA256 signature of the
 * exact body bytes (`sha256=<hex>`, as GitHub-style receivers verify it), the Authorization header,
 * and a JSON body when the content type says JSON. It records every request and answers with the
 * scripted codes first.
 */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

interface ScriptedAnswer {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export interface WebhookStandInOptions {
  /** The signature key the receiver verifies with; requests without a right signature get 401. */
  readonly signatureSecret?: string;
  readonly signatureHeader?: string;
  /** The whole Authorization header the receiver expects; anything else gets 401. */
  readonly authorization?: string;
  /** Serve HTTPS with this certificate. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface WebhookStandIn {
  readonly url: string;
  /** A hook address that carries a token in its path, as most services' do. */
  readonly hookUrl: string;
  readonly hookToken: string;
  readonly received: ReceivedRequest[];
  script(answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

const HOOK_TOKEN = 'T4sBq9Wd2Lx7Rk5M';

export async function startWebhookStandIn(opts: WebhookStandInOptions = {}): Promise<WebhookStandIn> {
  const received: ReceivedRequest[] = [];
  const scripted: ScriptedAnswer[] = [];
  const signatureHeader = (opts.signatureHeader ?? 'X-Drone-Signature').toLowerCase();

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: raw.toString('utf8') });
      const json = (status: number, answer: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      const next = scripted.shift();
      if (next) return res.writeHead(next.status, { 'content-type': 'text/plain', ...next.headers }).end(next.body ?? '');
      if (!(req.url ?? '').startsWith(`/hooks/${HOOK_TOKEN}`)) return json(404, { error: 'no such hook' });
      if (opts.authorization !== undefined && req.headers.authorization !== opts.authorization) return json(401, { error: 'bad credentials' });
      if (opts.signatureSecret !== undefined && !signed(raw, req.headers[signatureHeader], opts.signatureSecret)) return json(401, { error: 'signature mismatch' });
      if (/json/.test(req.headers['content-type'] ?? '')) {
        try {
          JSON.parse(raw.toString('utf8'));
        } catch {
          return json(400, { error: 'body is not JSON' });
        }
      }
      return json(200, { ok: true });
    });
  };
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hookUrl: `${url}/hooks/${HOOK_TOKEN}`,
    hookToken: HOOK_TOKEN,
    received,
    script: (answers) => void scripted.push(...answers),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function signed(body: Buffer, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(body).digest('hex'));
  const given = Buffer.from(header.slice('sha256='.length));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
