import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What a broken or hostile server does to a client, on loopback:
 * - `silent`: accepts the connection and the request, never answers;
 * - `stall-body`: sends its status and headers and the start of a JSON body, then nothing more;
 * - `retry-after`: answers every request `status` (429 or 503) asking to be retried after `seconds`.
 */
export type Hostility = { readonly kind: 'silent' } | { readonly kind: 'stall-body' } | { readonly kind: 'retry-after'; readonly status: number; readonly seconds: number; readonly body?: string };

export interface HostileServer {
  /** `http://127.0.0.1:<port>`: what an error naming the server shows. */
  readonly url: string;
  /** Requests received, by the time the test looks. */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startHostileServer(h: Hostility): Promise<HostileServer> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    if (h.kind === 'stall-body') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"kind": "Status", "ok": tr');
    } else if (h.kind === 'retry-after') {
      res.writeHead(h.status, { 'content-type': 'text/plain', 'retry-after': String(h.seconds) }).end(h.body ?? 'slow down');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
