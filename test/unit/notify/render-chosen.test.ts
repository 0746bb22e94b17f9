import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildContext } from '../../../shared/context/index.ts';
import { renderChosen } from '../../../shared/notify/templates.ts';
import { droneBuildEnv } from '../../support/drone-env.ts';

const build = buildContext(droneBuildEnv);

test('renderChosen: the text rendered with the escaping asked for; where it came from is kept', async () => {
  const chosen = { name: 'settings.template_success', setting: 'template_success', text: '{{build.status}}: {{build.message.title}}' };
  assert.deepEqual(await renderChosen(chosen, build, 'none'), { ...chosen, text: `success: Merge 'x' <y> & "z"` });
  assert.equal((await renderChosen(chosen, build, 'json'))?.text, String.raw`success: Merge 'x' <y> & \"z\"`);
});

test('renderChosen: no template stays none, for the default message', async () => {
  assert.equal(await renderChosen(undefined, build, 'none'), undefined);
});

test('renderChosen: a template error names where the template came from', async () => {
  await assert.rejects(renderChosen({ name: 'settings.card', text: '{{#if}}' }, build, 'json'), /settings\.card/);
});
