import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildContext } from '../../../shared/context/index.ts';
import { createHttpClient } from '../../../shared/http.ts';
import { markupLine, plainLine, summaryOf } from '../../../shared/notify/summary.ts';
import { chooseTemplate, loadTemplates, renderNotify } from '../../../shared/notify/templates.ts';
import { droneBuildEnv } from '../../support/drone-env.ts';

const build = buildContext({ ...droneBuildEnv, DRONE_FAILED_STEPS: 'test,deploy', DRONE_COMMIT_LINK: 'https://github.com/octocat/hello-world/commit/7fd1a60b' });

test('summaryOf: the facts of a default message', () => {
  assert.deepEqual(summaryOf(build), {
    outcome: 'failure',
    status: 'failure',
    repo: 'octocat/hello-world',
    number: 42,
    event: 'push',
    sha: '7fd1a60b',
    branch: 'main',
    tag: '',
    author: 'octocat',
    title: `Merge 'x' <y> & "z"`,
    link: 'https://drone.example.com/octocat/hello-world/42',
    commitLink: 'https://github.com/octocat/hello-world/commit/7fd1a60b',
    failedSteps: ['test', 'deploy'],
  });
});

test("the default lines: plugins/slack's markup and its plain fallback", () => {
  const f = summaryOf(build);
  assert.equal(markupLine(f), '*failure* <https://drone.example.com/octocat/hello-world/42|octocat/hello-world#7fd1a60b> (main) by octocat');
  assert.equal(plainLine(f), 'failure octocat/hello-world#7fd1a60b (main) by octocat');
});

test('chooseTemplate: the outcome\'s own template, else the general one, else none', () => {
  const any = { name: 'settings.template', text: 'any' };
  const failure = { name: 'settings.template_failure', text: 'failure' };
  assert.deepEqual(chooseTemplate('failure', { template: any, template_failure: failure }, 'template'), { ...failure, setting: 'template_failure' });
  assert.deepEqual(chooseTemplate('success', { template: any, template_failure: failure }, 'template'), { ...any, setting: 'template' });
  assert.equal(chooseTemplate('unknown', { template_failure: failure }, 'template'), undefined);
});

test('loadTemplates: inline text, a workspace file, a file: URL; unset settings are left out', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'notify-templates-'));
  writeFileSync(join(workspace, 'ok.hbs'), 'file {{build.number}}');
  const http = createHttpClient();
  const loaded = await loadTemplates({ template: 'inline {{repo.name}}', template_success: 'ok.hbs', template_failure: 'file://ok.hbs', card: undefined }, ['template', 'template_success', 'template_failure', 'card'], { workspace, http });
  assert.deepEqual(loaded, {
    template: { name: 'settings.template', text: 'inline {{repo.name}}' },
    template_success: { name: 'ok.hbs', text: 'file {{build.number}}' },
    template_failure: { name: 'ok.hbs', text: 'file {{build.number}}' },
  });
  await assert.rejects(loadTemplates({ template: 'missing/file.hbs' }, ['template'], { workspace, http }), /template "settings\.template": the template file "missing\/file\.hbs" does not exist/);
});

test('renderNotify: Drone field names and helpers, escaping as asked', async () => {
  assert.equal(await renderNotify('{{uppercase build.status}} {{build.message.title}} #{{truncate build.commit 8}}', build, { name: 'settings.template' }), `FAILURE Merge &apos;x&apos; &lt;y&gt; &amp; &quot;z&quot; #7fd1a60b`);
  assert.equal(await renderNotify('{{build.message.title}}', build, { name: 'settings.template', escape: 'none' }), `Merge 'x' <y> & "z"`);
  assert.equal(await renderNotify('{"text": "{{build.message}}"}', build, { name: 'settings.card', escape: 'json' }), JSON.stringify({ text: `Merge 'x' <y> & "z"\n\nThe body.` }).replace(':', ': '));
  const odd = buildContext({ ...droneBuildEnv, DRONE_COMMIT_MESSAGE: 'tab\tesc\u001b nul\u0000 back\\slash "q"' });
  const card = await renderNotify('{"text": "{{build.message}}"}', odd, { name: 'settings.card', escape: 'json' });
  assert.deepEqual(JSON.parse(card), { text: 'tab\tesc\u001b nul\u0000 back\\slash "q"' });
  await assert.rejects(renderNotify('{{#if}}', build, { name: 'settings.card' }), /settings\.card/);
});
