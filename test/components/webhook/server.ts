import { createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { type HttpStandIn, type Received, startHttpStandIn } from '../http-stand-in.ts';

/**
 * A webhook receiver on loopback, checking what receivers check: the HMAC-SHA256 signature of the
 * exact body bytes (`sha256=<hex>`, as GitHub-style receivers verify it), the Authorization header,
 * and a JSON body when the content type says JSON.
 */
export interface WebhookStandInOptions {
  /** The signature key the receiver verifies with; requests without a right signature get 401. */
  readonly signatureSecret?: string;
  readonly signatureHeader?: string;
  /** The whole Authorization header the receiver expects; anything else gets 401. */
  readonly authorization?: string;
  /** Serve HTTPS with this certificate. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface WebhookStandIn extends HttpStandIn {
  /** A hook address that carries a token in its path, as most services' do. */
  readonly hookUrl: string;
  readonly hookToken: string;
}

const HOOK_TOKEN = 'T4sBq9Wd2Lx7Rk5M';

export async function startWebhookStandIn(opts: WebhookStandInOptions = {}): Promise<WebhookStandIn> {
  const signatureHeader = (opts.signatureHeader ?? 'X-Drone-Signature').toLowerCase();
  const answer = (req: Received, res: http.ServerResponse) => {
    const json = (status: number, body: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (!req.path.startsWith(`/hooks/${HOOK_TOKEN}`)) return json(404, { error: 'no such hook' });
    if (opts.authorization !== undefined && req.headers.authorization !== opts.authorization) return json(401, { error: 'bad credentials' });
    if (opts.signatureSecret !== undefined && !signed(req.raw, req.headers[signatureHeader], opts.signatureSecret)) return json(401, { error: 'signature mismatch' });
    if (/json/.test(req.headers['content-type'] ?? '') && !req.json) return json(400, { error: 'body is not JSON' });
    return json(200, { ok: true });
  };
  const standIn = await startHttpStandIn(answer, { scriptedType: 'text/plain', tls: opts.tls });
  return { ...standIn, hookUrl: `${standIn.url}/hooks/${HOOK_TOKEN}`, hookToken: HOOK_TOKEN };
}

function signed(body: string, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(body).digest('hex'));
  const given = Buffer.from(header.slice('sha256='.length));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
