import type http from 'node:http';
import { type HttpStandIn, startHttpStandIn } from '../http-stand-in.ts';

/**
 * A stand-in for Slack on loopback: an incoming webhook and the two Web API methods the plugin
 * calls, answering with Slack's status codes and error strings (webhooks answer `ok` or a plain-text
 * error code; the Web API always answers JSON `{"ok": ...}`).
 */
export interface SlackStandIn extends HttpStandIn {
  /** A valid webhook URL; any other path under /services/ answers 404 no_service. */
  readonly webhookUrl: string;
  readonly apiUrl: string;
  readonly token: string;
}

const WEBHOOK_PATH = '/services/T0000SORT/B0000SORT/sortie-webhook-secret-path';

export async function startSlackStandIn(opts: { token?: string } = {}): Promise<SlackStandIn> {
  const token = opts.token ?? 'xoxb-sortie-test-token';
  let ts = 1_700_000_000;

  function webhook(path: string, body: unknown, res: http.ServerResponse) {
    const text = (status: number, answer: string) => res.writeHead(status, { 'content-type': 'text/html' }).end(answer);
    if (path !== WEBHOOK_PATH) return text(404, 'no_service');
    if (typeof body !== 'object' || body === null) return text(400, 'invalid_payload');
    const m = body as { text?: string; attachments?: unknown[]; blocks?: unknown[]; channel?: string };
    if (!m.text && !m.attachments?.length && !m.blocks?.length) return text(400, 'no_text');
    if (m.channel === '#missing') return text(404, 'channel_not_found');
    return text(200, 'ok');
  }

  function api(method: string, auth: string | undefined, body: unknown, res: http.ServerResponse) {
    const json = (answer: object) => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer));
    if (!auth) return json({ ok: false, error: 'not_authed' });
    if (auth !== `Bearer ${token}`) return json({ ok: false, error: 'invalid_auth' });
    if (method === 'auth.test') return json({ ok: true, url: 'https://sortie.slack.com/', team: 'Sortie', user: 'sortie', team_id: 'T0000SORT', user_id: 'U0000SORT', bot_id: 'B0000SORT' });
    if (method !== 'chat.postMessage') return json({ ok: false, error: 'unknown_method' });
    const m = (body ?? {}) as { channel?: string; thread_ts?: string };
    if (!m.channel) return json({ ok: false, error: 'channel_not_found' });
    if (m.channel === '#missing') return json({ ok: false, error: 'channel_not_found' });
    ts += 1;
    return json({ ok: true, channel: 'C0000SORT', ts: `${ts}.000100`, message: { ...m, ts: `${ts}.000100` } });
  }

  const server = await startHttpStandIn(
    (req, res) => {
      if (req.path.startsWith('/services/')) return webhook(req.path, req.body, res);
      if (req.path.startsWith('/api/')) return api(req.path.slice(5), req.headers.authorization, req.body, res);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
    },
    { scriptedType: 'text/plain' },
  );
  return { ...server, webhookUrl: server.url + WEBHOOK_PATH, apiUrl: `${server.url}/api`, token };
}
