import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTemplateSource } from '../../../shared/template/source.ts';
import { TemplateError } from '../../../shared/template/template-error.ts';

const workspace = await mkdtemp(join(tmpdir(), 'sortie-template-'));
await writeFile(join(workspace, 'message.hbs'), '{{build.status}} from file');
await mkdir(join(workspace, 'templates'));
await writeFile(join(workspace, 'templates', 'nested.hbs'), 'nested');

const load = (value: string, fetchText?: (url: string) => Promise<string>) =>
  loadTemplateSource(value, { workspace, fetchText, settingName: 'template' });

test('inline text is the template, named after the setting', async () => {
  assert.deepEqual(await load('*{{build.status}}*'), { name: 'settings.template', text: '*{{build.status}}*' });
  assert.deepEqual(await load(''), { name: 'settings.template', text: '' });
  assert.deepEqual(await load('line\nmessage.hbs'), { name: 'settings.template', text: 'line\nmessage.hbs' });
});

test('an existing file relative to the workspace is read, named by its path', async () => {
  assert.deepEqual(await load('message.hbs'), { name: 'message.hbs', text: '{{build.status}} from file' });
  assert.deepEqual(await load('templates/nested.hbs'), { name: 'templates/nested.hbs', text: 'nested' });
  const absolute = join(workspace, 'message.hbs');
  assert.equal((await load(absolute)).name, absolute);
});

test('a word naming a directory, or missing, is inline text', async () => {
  assert.equal((await load('templates')).name, 'settings.template');
  assert.equal((await load('deployed')).text, 'deployed');
  assert.equal((await load('deployed v1.2.3.')).text, 'deployed v1.2.3.');
});

test('a value that looks like a path (a / or a file extension, no spaces, no {{) but names no file is an error', async () => {
  for (const value of ['missing.hbs', 'templates/missing', './slack.tmpl']) {
    await assert.rejects(load(value), (err: unknown) => {
      assert.ok(err instanceof TemplateError);
      assert.equal(err.message, `template "settings.template": the template file "${value}" does not exist`);
      return true;
    });
  }
  assert.equal((await load('{{build.status}}.md')).name, 'settings.template');
});

test('file: URLs, absolute and relative', async () => {
  const absolute = join(workspace, 'message.hbs');
  assert.deepEqual(await load(`file://${absolute}`), { name: absolute, text: '{{build.status}} from file' });
  assert.deepEqual(await load(`file:${absolute}`), { name: absolute, text: '{{build.status}} from file' });
  assert.deepEqual(await load('file://templates/nested.hbs'), { name: 'templates/nested.hbs', text: 'nested' });
});

test('a missing file: URL is an error naming the setting and the path', async () => {
  await assert.rejects(load('file:///nope/message.hbs'), (err: unknown) => {
    assert.ok(err instanceof TemplateError);
    assert.equal(err.templateName, 'settings.template');
    assert.match(err.message, /^template "settings.template": the template file "\/nope\/message.hbs" does not exist/);
    return true;
  });
});

test('an existing but unreadable file is an error', { skip: process.getuid?.() === 0 && 'root reads any file' }, async () => {
  const locked = join(workspace, 'locked.hbs');
  await writeFile(locked, 'secret');
  await chmod(locked, 0o000);
  await assert.rejects(load('locked.hbs'), /cannot read locked.hbs: EACCES/);
});

test('a file: URL naming a directory is an error, not inline text', async () => {
  await assert.rejects(load('file://templates'), /template "settings.template": templates is a directory, not a file/);
});

test('http(s) URLs go through the injected fetch', async () => {
  const seen: string[] = [];
  const fetchText = async (url: string) => {
    seen.push(url);
    return 'remote {{build.number}}';
  };
  assert.deepEqual(await load('https://example.com/t.hbs', fetchText), {
    name: 'https://example.com/t.hbs',
    text: 'remote {{build.number}}',
  });
  assert.equal((await load('HTTP://example.com/x', fetchText)).text, 'remote {{build.number}}');
  assert.deepEqual(seen, ['https://example.com/t.hbs', 'HTTP://example.com/x']);
});

test('http(s) without a fetch function, or a failing fetch, is a TemplateError', async () => {
  await assert.rejects(load('https://example.com/t.hbs'), /settings.template.*no HTTP client/);
  await assert.rejects(
    load('https://example.com/t.hbs', async () => {
      throw new Error('HTTP 404');
    }),
    (err: unknown) => err instanceof TemplateError && /cannot fetch https:\/\/example.com\/t.hbs: HTTP 404/.test(err.message),
  );
});
