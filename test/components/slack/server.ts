import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Slack on loopback: an incoming webhook and the two Web API methods the plugin
 * calls, answering with Slack's status codes and error strings (webhooks answer `ok` or a plain-text
 * error code; the Web API always answers JSON `{"ok": ...}`).
 */
interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

interface ScriptedAnswer {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export interface SlackStandIn {
  readonly url: string;
  /** A valid webhook URL; any other path under /services/ answers 404 no_service. */
  readonly webhookUrl: string;
  readonly apiUrl: string;
  readonly token: string;
  readonly received: Received[];
  /** Answers to give, in order, before behaving normally again (429s, 500s, errors). */
  script(answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

const WEBHOOK_PATH = '/services/T0000SORT/B0000SORT/sortie-webhook-secret-path';

export async function startSlackStandIn(opts: { token?: string } = {}): Promise<SlackStandIn> {
  const token = opts.token ?? 'xoxb-sortie-test-token';
  const received: Received[] = [];
  const scripted: ScriptedAnswer[] = [];
  let ts = 1_700_000_000;

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString();
    });
    req.on('end', () => {
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // Kept as text: the webhook answers invalid_payload below.
      }
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const next = scripted.shift();
      if (next) {
        res.writeHead(next.status, { 'content-type': 'text/plain', ...next.headers }).end(next.body ?? '');
        return;
      }
      const path = req.url ?? '';
      if (path.startsWith('/services/')) return webhook(path, body, res);
      if (path.startsWith('/api/')) return api(path.slice(5), req.headers.authorization, body, res);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
    });
  });

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

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    webhookUrl: url + WEBHOOK_PATH,
    apiUrl: `${url}/api`,
    token,
    received,
    script: (answers) => void scripted.push(...answers),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
