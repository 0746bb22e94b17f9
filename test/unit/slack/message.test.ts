import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildContext } from '../../../shared/context/index.ts';
import { readSettings } from '../../../shared/settings/index.ts';
import { planMessage, withMentions } from '../../../plugins/slack/message.ts';
import { settings } from '../../../plugins/slack/settings.ts';
import { renderTemplate } from '../../../shared/template/handlebars.ts';
import { droneBuildEnv } from '../../support/drone-env.ts';

const build = buildContext({ ...droneBuildEnv, DRONE_BUILD_FINISHED: '1700000090' });
const failed = buildContext({ ...droneBuildEnv, DRONE_BUILD_STATUS: 'failure' });

function plan(env: Record<string, string>, templates = {}, b = build) {
  return planMessage(readSettings(settings, { PLUGIN_WEBHOOK: 'https://hooks.example.com/x', ...env }).values, b, templates, renderTemplate);
}

function render(template: string, b = build): string {
  return plan({}, { template: { name: 'settings.template', text: template } }, b).attachments[0]!.text;
}

// Templates in the style published for plugins/slack, with the text raymond + drone-template-lib
// produce for the same build (helpers at drone-template-lib HEAD, which accepts integer timestamps).
const COMPAT: Array<[string, string | RegExp]> = [
  ['{{#success build.status}}\n  build {{build.number}} succeeded. Good job.\n{{else}}\n  build {{build.number}} failed. Fix me please.\n{{/success}}\n', 'build 42 succeeded. Good job.'],
  ['*{{uppercasefirst build.status}}*: {{repo.owner}}/{{repo.name}}#{{truncate build.commit 8}} ({{build.branch}}) by {{build.author}}', '*Success*: octocat/hello-world#7fd1a60b (main) by octocat'],
  ['{{datetime build.started "Mon Jan 2 15:04:05 MST 2006" "UTC"}}', 'Tue Nov 14 22:13:20 UTC 2023'],
  ['started {{since build.started}} ago', /^started \d+h\d+m\d+s ago$/],
  ['{{#equal build.event "tag"}}release{{/equal}}{{#equal build.event "push"}}push{{/equal}}', 'push'],
  ['{{#equal build.number "42"}}forty-two{{/equal}}', 'forty-two'],
  ['{{build.author}} {{Build.Author.Name}} {{build.Message.title}}', `octocat The Octocat Merge 'x' &lt;y&gt; &amp; "z"`],
  ['{{{build.message.title}}}', `Merge 'x' <y> & "z"`],
  ['{{build.message.body}}|{{BUILD.status}}|{{build.deploy_to}}', 'The body.||'],
  ['{{#if build.pull}}PR {{build.pull}}{{else}}no PR{{/if}}', 'no PR'],
  ['{{uppercase build.branch}} {{lowercase "ABC"}}', 'MAIN abc'],
  ['{{regexReplace "o" repo.name "0"}}', 'hell0-w0rld'],
  ['{{trimPrefix "refs/heads/" build.ref}}', 'main'],
  ['took {{duration build.started build.finished}}', 'took 1m30s'],
  ['{{#urlencode}}{{build.link}}{{/urlencode}}', 'https%3A%2F%2Fdrone.example.com%2Foctocat%2Fhello-world%2F42'],
  ['<{{build.link}}|#{{build.number}}> {{commit.author.email}} {{stage.name}}/{{step.name}}', '<https://drone.example.com/octocat/hello-world/42|#42> octocat@github.com default/notify'],
];

for (const [template, want] of COMPAT) {
  test(`renders like plugins/slack: ${template.replace(/\n/g, '\\n').slice(0, 70)}`, () => {
    const got = render(template);
    if (want instanceof RegExp) assert.match(got, want);
    else assert.equal(got, want);
  });
}

test('failure blocks and the failure colour', () => {
  const m = plan({}, { template: { name: 't', text: '{{#failure build.status}}FAILED{{else}}ok{{/failure}}' } }, failed);
  assert.equal(m.attachments[0]!.text, 'FAILED');
  assert.equal(m.attachments[0]!.color, 'danger');
  assert.equal(plan({}, {}, buildContext({ ...droneBuildEnv, DRONE_BUILD_STATUS: 'running' })).attachments[0]!.color, 'warning');
});

test('secrets are not in the template context', () => {
  assert.equal(render('[{{config.webhook}}][{{config.accessToken}}]'), '[][]');
});

test('message is plain text used when there is no template; channel gets its #', () => {
  const m = plan({ PLUGIN_MESSAGE: 'Deployed {{not templated}}', PLUGIN_CHANNEL: 'ops' });
  assert.equal(m.attachments[0]!.text, 'Deployed {{not templated}}');
  assert.equal(m.channel, '#ops');
  assert.equal(plan({ PLUGIN_CHANNEL: '#ops' }).channel, '#ops');
});

test('mentions: user ids, specials, and already-formatted tags', () => {
  assert.equal(withMentions('hi', ['U1', '@U2', 'here', '!everyone', '<!subteam^S1>']), '<@U1> <@U2> <!here> <!everyone> <!subteam^S1> hi');
  assert.equal(withMentions('hi', []), 'hi');
});
