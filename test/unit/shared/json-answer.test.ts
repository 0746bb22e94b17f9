import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PluginError } from '../../../shared/errors.ts';
import type { HttpResponse } from '../../../shared/http.ts';
import { jsonOf } from '../../../shared/json-answer.ts';

function answer(body: string, contentType?: string, status = 200): HttpResponse {
  const data = Buffer.from(body);
  return { status, headers: contentType ? { 'content-type': contentType } : {}, body: data, text: () => body, json: () => JSON.parse(body) };
}

test('JSON is parsed', () => {
  assert.deepEqual(jsonOf(answer('{"ok": true}'), 'the server'), { ok: true });
});

test('an HTML page names the server, quotes at most 200 characters, and hints at a proxy', () => {
  const page = `<!DOCTYPE html>\n<html>${'<p>sign in</p>'.repeat(50)}</html>`;
  assert.throws(
    () => jsonOf(answer(page, 'text/html; charset=utf-8'), 'the API server https://k8s'),
    (e: unknown) =>
      e instanceof PluginError &&
      e.message === `the API server https://k8s answered HTTP 200 with something that is not JSON (text/html): ${page.replace(/\s+/g, ' ').slice(0, 200)}...` &&
      /proxy, a login page or a load balancer/.test(e.hint ?? ''),
  );
});

test('a cut-off or empty answer is named as such', () => {
  assert.throws(() => jsonOf(answer('{"kind": "Sta'), 'Slack'), (e: unknown) => e instanceof PluginError && /^Slack answered HTTP 200 with something that is not JSON: \{"kind": "Sta$/.test(e.message) && /cut off/.test(e.hint ?? ''));
  assert.throws(() => jsonOf(answer(''), 'Slack'), /^PluginError: Slack answered HTTP 200 with an empty body$/);
});
