import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Masker, masker } from '../../../shared/secrets.ts';
import { SettingsError, readSettings, setting, settingsTable, withSettingsTable } from '../../../shared/settings/index.ts';

const decl = {
  name: setting.string({ doc: 'A name.' }),
  channel: setting.string({ doc: 'Channel.', default: 'general' }),
  repo: setting.string({ doc: 'Repository.', required: true, example: 'registry.example.com/app' }),
  enabled: setting.bool({ doc: 'Switch.' }),
  retries: setting.int({ doc: 'Retries.', default: 3 }),
  timeout: setting.duration({ doc: 'Timeout.', default: 300_000 }),
  tags: setting.list({ doc: 'Tags.' }),
  vars: setting.map({ doc: 'Variables.' }),
  block: setting.json({ doc: 'Blocks.' }),
  mode: setting.string({ doc: 'Mode.', choices: ['fast', 'slow'] }),
  token: setting.string({ doc: 'Token.', secret: true, aliases: ['kube_token'], env: ['SERVICE_TOKEN'] }),
  icon_url: setting.string({ doc: 'Icon.' }),
};

const base = { PLUGIN_REPO: 'r' };

test('every type parses from its Drone encoding', () => {
  const { values, given } = readSettings(decl, {
    ...base,
    PLUGIN_NAME: 'web',
    PLUGIN_ENABLED: 'yes',
    PLUGIN_RETRIES: '5',
    PLUGIN_TIMEOUT: '1h30m',
    PLUGIN_TAGS: 'latest, 1.2 ,,1',
    PLUGIN_VARS: '{"a":"x","n":2,"o":{"k":true}}',
    PLUGIN_BLOCK: '{"blocks":[]}',
    PLUGIN_MODE: 'slow',
  });
  assert.equal(values.name, 'web');
  assert.equal(values.channel, 'general');
  assert.equal(values.enabled, true);
  assert.equal(values.retries, 5);
  assert.equal(values.timeout, 5_400_000);
  assert.deepEqual(values.tags, ['latest', '1.2', '1']);
  assert.deepEqual(values.vars, { a: 'x', n: '2', o: '{"k":true}' });
  assert.deepEqual(values.block, { blocks: [] });
  assert.equal(values.mode, 'slow');
  assert.equal(given.has('name'), true);
  assert.equal(given.has('channel'), false);
});

test('bool accepts true/false/yes/no/1/0 in any case', () => {
  for (const [raw, want] of [['TRUE', true], ['no', false], ['1', true], ['0', false], ['Yes', true], ['false', false]] as const) {
    assert.equal(readSettings(decl, { ...base, PLUGIN_ENABLED: raw }).values.enabled, want, raw);
  }
});

test('durations follow Go syntax; a bare number is seconds', () => {
  for (const [raw, ms] of [['90s', 90_000], ['5m', 300_000], ['500ms', 500], ['1h1m1s', 3_661_000], ['45', 45_000], ['1.5h', 5_400_000]] as const) {
    assert.equal(readSettings(decl, { ...base, PLUGIN_TIMEOUT: raw }).values.timeout, ms, raw);
  }
});

test('a JSON array keeps list elements that hold commas; a k=v list makes a map', () => {
  const { values } = readSettings(decl, { ...base, PLUGIN_TAGS: '["a,b", "c", 3]', PLUGIN_VARS: 'a=1,b=x=y' });
  assert.deepEqual(values.tags, ['a,b', 'c', '3']);
  assert.deepEqual(values.vars, { a: '1', b: 'x=y' });
});

test('defaults: bool false, list and map empty, others undefined', () => {
  const { values } = readSettings(decl, base);
  assert.equal(values.enabled, false);
  assert.deepEqual(values.tags, []);
  assert.deepEqual(values.vars, {});
  assert.equal(values.name, undefined);
  assert.equal(values.timeout, 300_000);
});

test('Woodpecker spelling and Drone dotted keys are the same setting', () => {
  assert.equal(readSettings(decl, { ...base, 'PLUGIN_ICON.URL': 'a' }).values.icon_url, 'a');
  assert.equal(readSettings(decl, { ...base, 'PLUGIN_ICON-URL': 'b' }).values.icon_url, 'b');
  assert.equal(readSettings(decl, { ...base, PLUGIN_ICON_URL: 'c', 'PLUGIN_ICON.URL': 'd' }).values.icon_url, 'c');
});

test('aliases and extra environment names, primary name first', () => {
  assert.equal(readSettings(decl, { ...base, PLUGIN_KUBE_TOKEN: 'alias-token' }).values.token, 'alias-token');
  assert.equal(readSettings(decl, { ...base, SERVICE_TOKEN: 'env-token' }).values.token, 'env-token');
  const r = readSettings(decl, { ...base, PLUGIN_TOKEN: 'primary', PLUGIN_KUBE_TOKEN: 'alias' });
  assert.equal(r.values.token, 'primary');
  assert.equal(readSettings(decl, { ...base, PLUGIN_KUBE_TOKEN: 'x1234' }).spelling.token, 'settings.kube_token');
});

test('empty values count as unset, as Drone drops them', () => {
  assert.throws(() => readSettings(decl, { PLUGIN_REPO: '' }), /settings\.repo is required/);
});

function problemsOf(env: Record<string, string>, rules = {}): readonly string[] {
  try {
    readSettings(decl, env, rules);
  } catch (err) {
    assert.ok(err instanceof SettingsError);
    assert.equal(err.exitCode, 1);
    return err.problems;
  }
  assert.fail('expected a SettingsError');
}

test('errors name the setting as written in .drone.yml, say what is wrong and give an example', () => {
  assert.deepEqual(problemsOf({ ...base, PLUGIN_ENABLED: 'maybe' }), ['settings.enabled: expected true or false, got "maybe". Example: enabled: true']);
  assert.deepEqual(problemsOf({ ...base, PLUGIN_RETRIES: '3x' }), ['settings.retries: expected a whole number, got "3x". Example: retries: 3']);
  assert.deepEqual(problemsOf({ ...base, PLUGIN_TIMEOUT: '5 minutes' }), ['settings.timeout: expected a duration, got "5 minutes". Example: timeout: 5m']);
  assert.match(problemsOf({ ...base, PLUGIN_BLOCK: '{"blocks":' })[0]!, /^settings\.block: invalid JSON \(.+\), got "\{\\"blocks\\":"\. Example: block: /);
  assert.deepEqual(problemsOf({ ...base, PLUGIN_MODE: 'medium' }), ['settings.mode: expected one of fast, slow, got "medium". Example: mode: fast']);
  assert.deepEqual(problemsOf({}), ['settings.repo is required. Example: repo: registry.example.com/app']);
  assert.deepEqual(problemsOf({ ...base, PLUGIN_VARS: 'novalue' }), ['settings.vars: expected key=value pairs, "novalue" has no "=", got "novalue". Example: vars: {key: value}']);
  assert.match(problemsOf({ ...base, PLUGIN_VARS: '=x' })[0]!, /"=x" has no key/);
});

test('all problems are reported together', () => {
  assert.equal(problemsOf({ PLUGIN_ENABLED: 'x', PLUGIN_RETRIES: 'y' }).length, 3);
});

test('settings that exclude each other are named as the user spelled them', () => {
  assert.deepEqual(problemsOf({ ...base, PLUGIN_NAME: 'a', PLUGIN_KUBE_TOKEN: 'tokenvalue' }, { exclusive: [['name', 'token']] }), [
    'settings.name and settings.kube_token exclude each other: set only one of them.',
  ]);
});

const register = (secret: string | undefined) => masker.add(secret);

test('a secret value never appears in an error, not even quoted by a parser, and is masked from then on', () => {
  const secretDecl = {
    pin: setting.int({ doc: 'PIN.', secret: true }),
    args: setting.map({ doc: 'Args.', secret: true }),
    config: setting.json({ doc: 'Config.', secret: true }),
  };
  const env = { PLUGIN_PIN: 'hunter2-not-a-number', PLUGIN_ARGS: 'A=1,TOKEN:hunter3secret', PLUGIN_CONFIG: '{"auths": hunter4secret}' };
  const problems = (() => {
    try {
      readSettings(secretDecl, env, {}, register);
    } catch (err) {
      return (err as SettingsError).problems;
    }
    return assert.fail('expected an error');
  })();
  assert.deepEqual(problems, [
    'settings.pin: expected a whole number (the value is not shown: the setting is secret). Example: pin: 3',
    'settings.args: expected key=value pairs, one has no "=" (the value is not shown: the setting is secret). Example: args: {key: value}',
    'settings.config: invalid JSON (the value is not shown: the setting is secret). Example: config: {"key": "value"}',
  ]);
  assert.equal(masker.mask('pin is hunter2-not-a-number'), 'pin is ********');
});

test("a secret list's items and a secret map's values are masked one by one", () => {
  const d = { args: setting.map({ doc: 'Args.', secret: true }), ids: setting.list({ doc: 'Ids.', secret: true }) };
  readSettings(d, { PLUGIN_ARGS: 'NPM_TOKEN=npm-abcdef123,REGION=eu-west-1', PLUGIN_IDS: 'id-one-111,id-two-222' }, {}, register);
  assert.equal(masker.mask('--build-arg=NPM_TOKEN=npm-abcdef123 eu-west-1 id-two-222'), '--build-arg=NPM_TOKEN=******** ******** ********');
});

test('a declaration can name the secrets inside a structured value, registered as soon as it is read', () => {
  const registered: string[] = [];
  const d = { config: setting.json({ doc: 'Config.', secrets: (v) => [(v as { password?: string }).password] }), plain: setting.string({ doc: 'Plain.' }) };
  readSettings(d, { PLUGIN_CONFIG: '{"user": "bot", "password": "pw-in-json-1"}', PLUGIN_PLAIN: 'readable' }, {}, (s) => s && registered.push(s));
  assert.deepEqual(registered, ['pw-in-json-1']);
});

test('a switch set to false does not count against an exclusive group', () => {
  const d = { auto_tag: setting.bool({ doc: 'Auto.' }), tags: setting.list({ doc: 'Tags.' }) };
  assert.doesNotThrow(() => readSettings(d, { PLUGIN_AUTO_TAG: 'false', PLUGIN_TAGS: 'a' }, { exclusive: [['auto_tag', 'tags']] }));
  assert.throws(() => readSettings(d, { PLUGIN_AUTO_TAG: 'true', PLUGIN_TAGS: 'a' }, { exclusive: [['auto_tag', 'tags']] }), /exclude each other/);
});

test('unknown PLUGIN_ variables are warned about with the nearest known name', () => {
  const { warnings } = readSettings(decl, { ...base, PLUGIN_CHANEL: '#x', PLUGIN_ZZZZZZZZ: '1' });
  assert.deepEqual(warnings, [
    'unknown setting settings.chanel is ignored; did you mean settings.channel?',
    'unknown setting settings.zzzzzzzz is ignored.',
  ]);
});

test('the README table is generated from the declaration', () => {
  const table = settingsTable({ token: decl.token, timeout: decl.timeout, repo: decl.repo, mode: decl.mode });
  assert.equal(
    table,
    [
      '| setting (aliases) | type | default | description |',
      '|---|---|---|---|',
      '| `token`, `kube_token` | string |  | Token. Also read from `SERVICE_TOKEN`. (secret) |',
      '| `timeout` | duration | `5m` | Timeout. |',
      '| `repo` | string |  | Repository. (**required**) |',
      '| `mode` | `fast` \\| `slow` |  | Mode. |',
    ].join('\n'),
  );
  const readme = 'intro\n<!-- settings:start (generated by `npm run docs`) -->\nold\n<!-- settings:end -->\nrest\n';
  assert.match(withSettingsTable(readme, { repo: decl.repo }), /settings:start.*\n\| setting[\s\S]*\| `repo` \|[\s\S]*\n<!-- settings:end -->\nrest\n$/);
});

test('a fresh masker masks nothing', () => {
  assert.equal(new Masker().mask('plain'), 'plain');
});
