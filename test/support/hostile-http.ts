import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What a broken or hostile server does to a client, on loopback:
 * - `silent`: accepts the connection and the request, never answers;
 * - `stall-body`: sends its status and headers and the start of a JSON body, then nothing more;
 * - `retry-after`: answers every request `status` (429 or 503) asking to be retried after `seconds`;
 * - `endless`: answers 200 with a JSON body that never ends, as fast as the client reads it;
 * - `answer`: answers every request `status` with `body` (a server quoting a request back).
 */
export type Hostility =
  | { readonly kind: 'silent' }
  | { readonly kind: 'stall-body' }
  | { readonly kind: 'retry-after'; readonly status: number; readonly seconds: number; readonly body?: string }
  | { readonly kind: 'endless' }
  | { readonly kind: 'answer'; readonly status: number; readonly body: string };

const MiB_OF_SPACES = Buffer.alloc(1024 * 1024, ' ');

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
    } else if (h.kind === 'answer') {
      res.writeHead(h.status, { 'content-type': 'text/plain' }).end(h.body);
    } else if (h.kind === 'endless') {
      res.writeHead(200, { 'content-type': 'application/json' }).write('{"items": [');
      res.on('error', () => {});
      const more = () => {
        while (!res.destroyed && res.write(MiB_OF_SPACES));
        if (!res.destroyed) res.once('drain', more);
      };
      more();
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
