import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { createHttpClient } from '../../../shared/http.ts';
import { MAX_STREAM_LINE_BYTES } from '../../../shared/limits.ts';
import { Cancelled } from '../../../shared/stop.ts';

const servers: http.Server[] = [];
after(() => {
  for (const s of servers) s.closeAllConnections();
  for (const s of servers) s.close();
});

async function serve(handler: (res: http.ServerResponse) => void): Promise<{ url: string; closed: Promise<void> }> {
  let closed!: () => void;
  const done = new Promise<void>((r) => {
    closed = r;
  });
  const server = http.createServer((_req, res) => {
    res.on('close', closed);
    handler(res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, closed: done };
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

test('a 2xx answer comes as its lines, as they arrive, split across chunks or not', async () => {
  const { url } = await serve((res) => {
    res.writeHead(200);
    res.write('{"a":1}\n{"b"');
    setTimeout(() => res.end(':2}\n\n{"c":3}'), 20);
  });
  const answer = await createHttpClient().stream({ url });
  assert.ok(answer.ok);
  assert.deepEqual(await collect(answer.lines), ['{"a":1}', '{"b":2}', '{"c":3}']);
});

test('another answer is read whole, as request() reads it', async () => {
  const { url } = await serve((res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end('{"kind":"Status","code":403}');
  });
  const answer = await createHttpClient().stream({ url });
  assert.ok(!answer.ok);
  assert.equal(answer.response.status, 403);
  assert.equal(answer.response.json<{ code: number }>().code, 403);
});

test('a line longer than the limit ends the stream with an error saying so, and the connection closes', async () => {
  const { url, closed } = await serve((res) => {
    res.writeHead(200);
    const chunk = 'x'.repeat(1024 * 1024);
    const more = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', more);
    };
    more();
  });
  const answer = await createHttpClient().stream({ url });
  assert.ok(answer.ok);
  await assert.rejects(collect(answer.lines), new RegExp(`a line of the answer is longer than ${MAX_STREAM_LINE_BYTES / 1024 / 1024} MiB`));
  await closed;
});

test('its own signal, or the step signal, ends the reading with the signal reason and closes the connection', async () => {
  for (const which of ['own', 'step'] as const) {
    const { url, closed } = await serve((res) => {
      res.writeHead(200);
      res.write('{"first":true}\n');
    });
    const step = new AbortController();
    const own = new AbortController();
    const answer = await createHttpClient({ signal: step.signal }).stream({ url }, own.signal);
    assert.ok(answer.ok);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const l of answer.lines) {
        seen.push(l);
        (which === 'own' ? own : step).abort(new Cancelled('SIGTERM'));
      }
    })();
    await assert.rejects(reading, Cancelled);
    assert.deepEqual(seen, ['{"first":true}']);
    await closed;
  }
});

test('breaking out of the lines closes the connection', async () => {
  const { url, closed } = await serve((res) => {
    res.writeHead(200);
    res.write('one\ntwo\n');
  });
  const answer = await createHttpClient().stream({ url });
  assert.ok(answer.ok);
  for await (const l of answer.lines) if (l === 'one') break;
  await closed;
});
