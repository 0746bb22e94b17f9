import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTemplate } from '../../../shared/template/handlebars.ts';
import { substitute } from '../../../shared/template/substitute.ts';
import { TemplateError } from '../../../shared/template/template-error.ts';

const limitMessage = /it renders to more than 16 MiB of text; rendering was stopped there/;

test('nested #each stops at the limit, in bounded time', () => {
  const loop = `(split "," (repeat 100 "a,"))`;
  const started = performance.now();
  assert.throws(
    () => renderTemplate(`{{#each ${loop}}}{{#each ${loop}}}{{repeat 100000 "x"}}{{/each}}{{/each}}`, {}, { name: 't.hbs' }),
    (e: unknown) => e instanceof TemplateError && e.templateName === 't.hbs' && limitMessage.test(e.message),
  );
  assert.ok(performance.now() - started < 5000);
});

test('block bodies run at most 50,000 times in one render, however little each makes', () => {
  const loop = `(split "," (repeat 300 "a,"))`;
  assert.throws(() => renderTemplate(`{{#each ${loop}}}{{#each ${loop}}}.{{/each}}{{/each}}`, {}, { name: 't' }), /it runs its blocks \(\{\{#each\}\} \.\.\.\) more than 50,000 times/);
  assert.equal(renderTemplate(`{{#each ${loop}}}{{#each (split "," (repeat 100 "a,"))}}.{{/each}}{{/each}}`, {}, { name: 't' }).length, 301 * 101);
});

test('repeat and indent are refused before they allocate', () => {
  assert.throws(() => renderTemplate('{{repeat 1000000000 "abc"}}', {}, { name: 't' }), limitMessage);
  assert.throws(() => renderTemplate('{{indent 1000000000 "a"}}', {}, { name: 't' }), limitMessage);
});

test('a value printed again and again is charged each time', () => {
  const big = 'x'.repeat(1 << 20);
  assert.throws(() => renderTemplate('{{#each items}}{{../big}}{{/each}}', { big, items: Array(20).fill(0) }, { name: 't' }), limitMessage);
});

test('ordinary templates render as before, and each render has its own budget', () => {
  for (let i = 0; i < 3; i++) assert.equal(renderTemplate('{{repeat 3 "ab"}}{{#each xs}}[{{this}}]{{/each}}', { xs: [1, 2] }, { name: 't' }), 'ababab[1][2]');
  assert.equal(renderTemplate('{{repeat 10000000 "a"}}', {}, { name: 't' }).length, 10_000_000);
});

test('${VAR} substitution stops at the limit, naming the line of the variable', () => {
  const text = `a: 1\nb: ${'${V}'.repeat(20)}\n`;
  assert.throws(
    () => substitute(text, () => 'x'.repeat(1 << 20), { name: 'm.yaml' }),
    (e: unknown) => e instanceof TemplateError && e.line === 2 && /stopped at \$\{V\}: it renders to more than 16 MiB/.test(e.message),
  );
});
