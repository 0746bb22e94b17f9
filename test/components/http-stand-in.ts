import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What every chat-service stand-in shares: an HTTP server on 127.0.0.1 that reads each request
 * whole, records it, gives the scripted answers first (429s, 5xx, to test retries) and otherwise
 * lets the service's own `answer` reply.
 */
export interface Received {
  readonly method: string;
  /** The path with its query, as sent. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: http.IncomingHttpHeaders;
  /** The parsed JSON body, or the text when it is not JSON (undefined when empty). */
  readonly body: unknown;
  /** Whether the body parsed as JSON. */
  readonly json: boolean;
  /** The body's size in bytes, as services count their limits. */
  readonly bytes: number;
}

export interface ScriptedAnswer {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export interface HttpStandIn {
  readonly url: string;
  readonly received: Received[];
  /** Answers to give, in order, before behaving normally again. */
  script(answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

export async function startHttpStandIn(
  answer: (req: Received, res: http.ServerResponse) => void,
  opts: { scriptedType: string },
): Promise<HttpStandIn> {
  const received: Received[] = [];
  const scripted: ScriptedAnswer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw || undefined;
      let json = false;
      try {
        body = JSON.parse(raw);
        json = true;
      } catch {
        // Kept as text: each service answers a body that is not JSON its own way.
      }
      const path = req.url ?? '/';
      const query = Object.fromEntries(new URL(path, 'http://stand-in').searchParams);
      const r: Received = { method: req.method ?? '', path, query, headers: req.headers, body, json, bytes: Buffer.byteLength(raw) };
      received.push(r);
      const next = scripted.shift();
      if (next) res.writeHead(next.status, { 'content-type': opts.scriptedType, ...next.headers }).end(next.body ?? '');
      else answer(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    script: (answers) => void scripted.push(...answers),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
