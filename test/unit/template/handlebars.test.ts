import assert from 'node:assert/strict';
import { test } from 'node:test';
import Handlebars from 'handlebars';
import { PluginError } from '../../../shared/errors.ts';
import { renderTemplate, TemplateError } from '../../../shared/template/handlebars.ts';

process.env.TZ = 'UTC';

const message = "Merge 'x' <y> & \"z\" `q` a=b\n\nbody";

/** The drone-slack struct shapes used for the observed raymond outputs (notify.md §9 A). */
const context = {
  repo: { owner: 'octocat', name: 'hello-world' },
  build: {
    status: 'failure',
    number: 42,
    tag: '',
    pull: '',
    link: 'http://drone/1',
    started: 1700000000,
    deployTo: 'prod',
    commit: '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d',
    author: {
      username: 'octocat',
      name: 'The Octocat',
      toString() {
        return 'octocat';
      },
    },
    message: {
      title: "Merge 'x'",
      body: 'body',
      toString() {
        return message;
      },
    },
  },
  config: { webhook: 'https://hooks.slack.com/secret' },
};

const render = (source: string, opts: Partial<Parameters<typeof renderTemplate>[2]> = {}) =>
  renderTemplate(source, context, { name: 'slack template', ...opts });

test('raymond outputs observed with drone-slack (notify.md §9 A)', () => {
  const cases: [string, string][] = [
    ['{{build.status}}|{{Build.Status}}|{{build.Status}}|{{BUILD.status}}', 'failure|failure|failure|'],
    [
      '{{build.author}}|{{build.author.name}}|{{build.message}}|{{build.message.title}}|{{{build.message.title}}}',
      "octocat|The Octocat|Merge &apos;x&apos; &lt;y&gt; &amp; &quot;z&quot; `q` a=b\n\nbody|Merge &apos;x&apos;|Merge 'x'",
    ],
    ['{{#success build.status}}ok{{else}}nok{{/success}} {{#failure build.status}}F{{/failure}} {{#success "success"}}S{{/success}}', 'nok F S'],
    ['{{#urlencode}}{{build.link}} a&b{{/urlencode}}', 'http%3A%2F%2Fdrone%2F1+a%26b'],
    ['{{datetime 1700000000.0 "2006-01-02 15:04 MST" "Europe/Berlin"}}', '2023-11-14 23:13 CET'],
    ['{{duration 0.0 90.0}}', '1m30s'],
    ['{{#equal build.status "success"}}EQ{{else}}NE{{/equal}}', ''],
    ['{{#equal build.number "42"}}numEQ{{/equal}}', 'numEQ'],
    ['{{date "2006-01-02" build.started}}', '2023-11-14'],
    ['{{build.deployTo}}|{{build.deploy_to}}|{{config.webhook}}', 'prod||https://hooks.slack.com/secret'],
  ];
  for (const [source, want] of cases) assert.equal(render(source), want, source);
});

test('where raymond fails or panics, we render', () => {
  const cases: [string, string][] = [
    ['{{datetime build.started "2006-01-02" "UTC"}}', '2023-11-14'],
    ['{{datetime 1700000000 "2006-01-02 15:04 MST" "Europe/Berlin"}}', '2023-11-14 23:13 CET'],
    ['{{duration 0 90}}', '1m30s'],
    ['{{default "none" build.tag}}', 'none'],
    ['[{{uppercasefirst build.pull}}]', '[]'],
    ['{{truncate build.commit -8}}', context.build.commit.slice(8)],
  ];
  for (const [source, want] of cases) assert.equal(render(source), want, source);
});

test('escape modes: raymond, slack and none', () => {
  assert.equal(render('{{build.message.title}} {{build.message}}', {}).split('\n')[0], "Merge &apos;x&apos; Merge &apos;x&apos; &lt;y&gt; &amp; &quot;z&quot; `q` a=b");
  assert.equal(render('{{build.message}}', { escape: 'slack' }), "Merge 'x' &lt;y&gt; &amp; \"z\" `q` a=b\n\nbody");
  assert.equal(render('{{build.message}}', { escape: 'none' }), message);
  assert.equal(render('{{{build.message}}}', { escape: 'raymond' }), message);
  assert.equal(render('{{uppercase "<a>"}}', { escape: 'slack' }), '&lt;A&gt;');
});

test('escape modes do not leak into each other or into the global Handlebars', () => {
  const utilsEscape = Handlebars.Utils.escapeExpression;
  for (let i = 0; i < 2; i++) {
    assert.equal(renderTemplate("{{v}}", { v: `'<` }, { name: 't', escape: 'slack' }), "'&lt;");
    assert.equal(renderTemplate("{{v}}", { v: `'<` }, { name: 't', escape: 'raymond' }), '&apos;&lt;');
    assert.equal(renderTemplate("{{v}}", { v: `'<` }, { name: 't', escape: 'none' }), "'<");
  }
  assert.equal(Handlebars.compile('{{v}}')({ v: "'=" }), '&#x27;&#x3D;');
  assert.equal(Handlebars.create().compile('{{v}}')({ v: "'" }), '&#x27;');
  assert.equal(Handlebars.Utils.escapeExpression, utilsEscape);
  assert.equal(Handlebars.escapeExpression("'"), '&#x27;');
});

test('partials and nested blocks use the same escaping', () => {
  const out = renderTemplate('{{#each items}}{{this}};{{/each}}{{#with o}}{{v}}{{/with}}', { items: ["'", '<'], o: { v: '"' } }, { name: 't' });
  assert.equal(out, '&apos;;&lt;;&quot;');
});

test('values print like raymond: numbers, booleans, empty values', () => {
  const out = renderTemplate('{{n}}|{{z}}|{{t}}|{{f}}|{{u}}|{{nul}}', { n: 42, z: 0, t: true, f: false, u: undefined, nul: null }, { name: 't' });
  assert.equal(out, '42|0|true|false||');
});

test('the result is trimmed of spaces and newlines only (RenderTrim)', () => {
  assert.equal(renderTemplate('\n  hi {{x}} \n\n', { x: 1 }, { name: 't' }), 'hi 1');
  assert.equal(renderTemplate('\thi\t', {}, { name: 't' }), '\thi\t');
});

test('strict mode: a missing field is an error with its position', () => {
  assert.equal(render('{{Build.Status}} {{build.tag}}', { strict: true }), 'failure');
  assert.equal(render('{{build.nope}}'), '');
  assert.throws(
    () => render('hello\n  {{build.nope}}', { strict: true }),
    (err: unknown) => {
      assert.ok(err instanceof TemplateError);
      assert.equal(err.line, 2);
      assert.equal(err.column, 5);
      assert.equal(err.message, 'template "slack template": line 2, column 5: "nope" is not defined');
      return true;
    },
  );
});

test('syntax errors carry line and column', () => {
  assert.throws(
    () => render('line1\nline2\n  {{ #success build.status }}x{{ /success }}'),
    (err: unknown) => {
      assert.ok(err instanceof TemplateError);
      assert.ok(err instanceof PluginError);
      assert.equal(err.templateName, 'slack template');
      assert.equal(err.line, 3);
      assert.equal(err.column, 6);
      assert.match(err.message, /^template "slack template": line 3, column 6: Parse error: /);
      assert.match(err.message, /got 'INVALID'$/);
      return true;
    },
  );
  assert.throws(() => render('ok\n{{#if build.tag}}\n  {{/each}}'), /line 2, column 4: if doesn't match each$/);
  assert.throws(() => render('{{build.status'), /line 1, column \d+: Parse error/);
  assert.throws(() => render('x {{!-- open'), /line 1, column 3: Lexical error: Unrecognized text/);
});

test('unknown helpers and helper failures are TemplateErrors with positions', () => {
  assert.equal(render('[{{nohelper}}]'), '[]');
  assert.throws(() => render('x\n  {{nohelper build.status}}'), /^TemplateError: template "slack template": line 2, column 3: Missing helper: "nohelper"$/m);
  assert.throws(() => render('x\n{{#nohelper build.status}}y{{/nohelper}}'), (err: unknown) => err instanceof TemplateError && err.line === 2);
  assert.throws(() => render('{{regexFind "(" build.status}}'), /line 1, column 1: helper "regexFind": invalid regular expression/);
  assert.throws(() => render('{{div 1 0}}'), /helper "div": integer divide by zero/);
  assert.throws(
    () => render('{{#failure build.status}}\n  {{nohelper 1}}{{/failure}}'),
    /line 2, column 3: Missing helper: "nohelper"$/,
  );
});
