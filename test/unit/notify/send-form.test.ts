import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createHttpClient } from '../../../shared/http.ts';
import { createLogger } from '../../../shared/log.ts';
import { sendForm } from '../../../shared/notify/send-form.ts';
import { masker } from '../../../shared/secrets.ts';

const answers: Array<{ status: number; body: string }> = [];
const types: string[] = [];
let base = '';
const server = http.createServer((req, res) => {
  types.push(req.headers['content-type'] ?? '');
  req.resume().on('end', () => {
    const a = answers.shift() ?? { status: 200, body: '{}' };
    res.writeHead(a.status).end(a.body);
  });
});
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const client = () => createHttpClient({ retries: 0, log: createLogger({ out: () => {}, err: () => {} }) });
const upload = (path: string, hint?: (status: number, text: string) => string | undefined) =>
  sendForm(client(), { url: `${base}${path}`, parts: [{ name: 'file', filename: 'report.html', data: Buffer.from('<p>ok</p>') }], service: 'Chat', setting: 'token', what: 'uploading report.html', uploadSetting: 'file', hint });

test('an upload is multipart/form-data; a 2xx answer is returned', async () => {
  types.length = 0;
  const res = await upload('/upload');
  assert.equal(res.status, 200);
  assert.match(types[0] ?? '', /^multipart\/form-data; boundary=/);
});

test("a refused upload names the setting that asked for it and quotes the service's text, masked", async () => {
  masker.add('form-secret-token');
  answers.push({ status: 400, body: '{"description": "file too big for form-secret-token"}' });
  await assert.rejects(upload('/form-secret-token', (status) => (status === 400 ? 'make it smaller' : undefined)), (err: Error & { hint?: string }) => {
    assert.equal(err.message, 'settings.file: uploading report.html to Chat failed: HTTP 400: {"description": "file too big for ********"}');
    assert.equal(err.hint, 'make it smaller');
    return true;
  });
});

test("without a hint of the service's own, an upload gets sendJson's: the credentials behind the setting", async () => {
  answers.push({ status: 401, body: '' });
  await assert.rejects(upload('/upload'), (err: Error & { hint?: string }) => {
    assert.equal(err.message, 'settings.file: uploading report.html to Chat failed: HTTP 401 with an empty body');
    assert.equal(err.hint, 'The service refused the credentials: check the secret behind settings.token.');
    return true;
  });
});
