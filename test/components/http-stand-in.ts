import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a stand-in received it, its JSON body parsed (kept as text when it is not JSON). */
export interface Received {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: http.IncomingHttpHeaders;
  readonly raw: string;
  readonly body: unknown;
}

/** An answer queued with `script()`, given instead of the service's own (429s, 5xx, proxies). */
export interface ScriptedAnswer {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export interface Answer {
  json(status: number, body?: object): void;
}

export interface HttpStandIn {
  readonly url: string;
  readonly received: Received[];
  /** Answers to give, in order, before behaving normally again. */
  script(answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

/**
 * The HTTP side every chat-service stand-in shares: a server on loopback that records each request
 * and hands it to `handle` unless a scripted answer comes first.
 */
export async function startHttpStandIn(handle: (req: Received, answer: Answer) => void): Promise<HttpStandIn> {
  const received: Received[] = [];
  const scripted: ScriptedAnswer[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString();
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // Kept as text: each service answers a body that is not JSON its own way.
      }
      const request = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, raw, body };
      received.push(request);
      const next = scripted.shift();
      if (next) return void res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(next.body ?? '');
      handle(request, {
        json: (status, answer) => {
          if (answer === undefined) res.writeHead(status).end();
          else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        },
      });
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
