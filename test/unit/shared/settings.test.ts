import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Masker, masker } from '../../../shared/secrets.ts';
import { type Declaration, type Rules, SettingsError, readSettings, setting, settingsTable, withSettingsTable } from '../../../shared/settings/index.ts';

const decl = {
  name: setting.string({ doc: 'A name.' }),
  channel: setting.string({ doc: 'Channel.', default: 'general' }),
  repo: setting.string({ doc: 'Repository.', example: 'registry.example.com/app' }),
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
const repoRequired: Rules<typeof decl> = { oneOf: [['repo']] };

test('every type parses from its Drone encoding', () => {
  const { values } = readSettings(decl, {
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
});

test('empty values count as unset, as Drone drops them', () => {
  assert.throws(() => readSettings(decl, { PLUGIN_REPO: '' }, { rules: repoRequired }), /set settings\.repo\. Example: repo: registry\.example\.com\/app/);
});

function problemsOf<D extends Declaration = typeof decl>(env: Record<string, string>, rules: Rules<D> = repoRequired as Rules<D>, d: D = decl as unknown as D, workspace?: string): readonly string[] {
  try {
    readSettings(d, env, { rules, workspace });
  } catch (err) {
    assert.ok(err instanceof SettingsError);
    assert.equal(err.exitCode, 1);
    return err.problems;
  }
  return [];
}

test('errors name the setting as written in .drone.yml, say what is wrong and give an example', () => {
  assert.deepEqual(problemsOf({ ...base, PLUGIN_ENABLED: 'maybe' }), ['settings.enabled: expected true or false, got "maybe". Example: enabled: true']);
  assert.deepEqual(problemsOf({ ...base, PLUGIN_RETRIES: '3x' }), ['settings.retries: expected a whole number, got "3x". Example: retries: 3']);
  assert.deepEqual(problemsOf({ ...base, PLUGIN_TIMEOUT: '5 minutes' }), ['settings.timeout: expected a duration, got "5 minutes". Example: timeout: 5m']);
  assert.match(problemsOf({ ...base, PLUGIN_BLOCK: '{"blocks":' })[0]!, /^settings\.block: invalid JSON \(.+\), got "\{\\"blocks\\":"\. Example: block: /);
  assert.deepEqual(problemsOf({ ...base, PLUGIN_MODE: 'medium' }), ['settings.mode: expected one of fast, slow, got "medium". Example: mode: fast']);
  assert.deepEqual(problemsOf({}), ['set settings.repo. Example: repo: registry.example.com/app']);
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
  const env = { PLUGIN_PIN: 'hunter2-not-a-number', PLUGIN_ARGS: 'TOKEN:hunter3secret,A=1', PLUGIN_CONFIG: '{"auths": hunter4secret}' };
  const problems = (() => {
    try {
      readSettings(secretDecl, env, { register });
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
  readSettings(d, { PLUGIN_ARGS: 'NPM_TOKEN=npm-abcdef123,REGION=eu-west-1', PLUGIN_IDS: 'id-one-111,id-two-222' }, { register });
  assert.equal(masker.mask('--build-arg=NPM_TOKEN=npm-abcdef123 eu-west-1 id-two-222'), '--build-arg=NPM_TOKEN=******** ******** ********');
});

test('a declaration can name the secrets inside a structured value, registered as soon as it is read', () => {
  const registered: string[] = [];
  const d = { config: setting.json({ doc: 'Config.', secrets: (v) => [(v as { password?: string }).password] }), plain: setting.string({ doc: 'Plain.' }) };
  readSettings(d, { PLUGIN_CONFIG: '{"user": "bot", "password": "pw-in-json-1"}', PLUGIN_PLAIN: 'readable' }, { register: (s) => s && registered.push(s) });
  assert.deepEqual(registered, ['pw-in-json-1']);
});

test('a switch set to false does not count against an exclusive group', () => {
  const d = { auto_tag: setting.bool({ doc: 'Auto.' }), tags: setting.list({ doc: 'Tags.' }) };
  const rules: Rules<typeof d> = { exclusive: [['auto_tag', 'tags']] };
  assert.doesNotThrow(() => readSettings(d, { PLUGIN_AUTO_TAG: 'false', PLUGIN_TAGS: 'a' }, { rules }));
  assert.throws(() => readSettings(d, { PLUGIN_AUTO_TAG: 'true', PLUGIN_TAGS: 'a' }, { rules }), /exclude each other/);
});

test('unknown PLUGIN_ variables unlike any setting are warned about, with the nearest known name when there is one', () => {
  const { warnings } = readSettings(decl, { ...base, PLUGIN_CHNNL: '#x', PLUGIN_ZZZZZZZZ: '1' });
  assert.deepEqual(warnings, ['unknown setting settings.chnnl is ignored; did you mean settings.channel?', 'unknown setting settings.zzzzzzzz is ignored.']);
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
      '| `repo` | string |  | Repository. |',
      '| `mode` | `fast` \\| `slow` |  | Mode. |',
    ].join('\n'),
  );
  const readme = 'intro\n<!-- settings:start (generated by `npm run docs`) -->\nold\n<!-- settings:end -->\nrest\n';
  assert.match(withSettingsTable(readme, { repo: decl.repo }), /settings:start.*\n\| setting[\s\S]*\| `repo` \|[\s\S]*\n<!-- settings:end -->\nrest\n$/);
});

test('a fresh masker masks nothing', () => {
  assert.equal(new Masker().mask('plain'), 'plain');
});

const app = {
  server: setting.string({ doc: 'Server.', example: 'https://kube.example.com' }),
  token: setting.string({ doc: 'Token.', secret: true }),
  cert: setting.string({ doc: 'Cert.' }),
  key: setting.string({ doc: 'Key.', secret: true }),
  prune: setting.bool({ doc: 'Prune.' }),
  label: setting.string({ doc: 'Label.', example: 'app=web' }),
  files: setting.list({ doc: 'Files.', path: 'workspace-glob' }),
  inline: setting.string({ doc: 'Inline.', path: 'workspace-or-text' }),
  out: setting.string({ doc: 'Out.', path: 'workspace' }),
  context: setting.string({ doc: 'Context.', path: 'workspace-or-url' }),
  port: setting.int({ doc: 'Port.', validate: (p) => (p > 0 && p < 65536 ? undefined : `expected a port, 1 to 65535, got ${p}`) }),
  tags: setting.list({ doc: 'Tags.', noChoice: ['latest'] }),
  auto: setting.bool({ doc: 'Auto.' }),
};
const appRules: Rules<typeof app> = {
  requires: { server: [['token', 'cert']], prune: ['label'] },
  together: [['cert', 'key']],
  oneOf: [['files', 'inline']],
  exclusive: [['tags', 'auto']],
};
const appProblems = (env: Record<string, string>, workspace?: string) => problemsOf({ PLUGIN_FILES: 'k8s/', ...env }, appRules, app, workspace);

test('requires: a setting that needs another, or one of several, names what is missing with an example', () => {
  assert.deepEqual(appProblems({ PLUGIN_PRUNE: 'true' }), ['settings.prune needs settings.label. Example: label: app=web']);
  assert.deepEqual(appProblems({ PLUGIN_SERVER: 'https://k' }), ['settings.server needs settings.token or settings.cert. Example: token: text']);
  assert.deepEqual(appProblems({ PLUGIN_PRUNE: 'false' }), [], 'a switch that is off needs nothing');
  assert.deepEqual(appProblems({ PLUGIN_SERVER: 'https://k', PLUGIN_TOKEN: 't0ken-value' }), []);
});

test('together: all or none', () => {
  assert.deepEqual(appProblems({ PLUGIN_KEY: 'key-value' }), ['settings.key is set but settings.cert is not: set them together, or none of them.']);
  assert.deepEqual(appProblems({ PLUGIN_KEY: 'key-value', PLUGIN_CERT: 'c' }), []);
});

test('oneOf: at least one', () => {
  assert.deepEqual(problemsOf({}, appRules, app), ['set one of settings.files or settings.inline. Example: files: [a, b]']);
});

test('exclusive: at most one; a declared non-choice counts as unset', () => {
  assert.deepEqual(appProblems({ PLUGIN_TAGS: '1.0', PLUGIN_AUTO: 'true' }), ['settings.tags and settings.auto exclude each other: set only one of them.']);
  assert.deepEqual(appProblems({ PLUGIN_TAGS: 'latest', PLUGIN_AUTO: 'true' }), []);
});

test('validate: a per-setting check, prefixed with the setting as written', () => {
  assert.deepEqual(appProblems({ PLUGIN_PORT: '70000' }), ['settings.port: expected a port, 1 to 65535, got 70000']);
});

test('every kind of problem is reported together, in one error', () => {
  const problems = problemsOf({ PLUGIN_PORT: '0', PLUGIN_PRUNE: 'maybe', PLUGIN_KEY: 'key-value', PLUGIN_SEREVR: 'x' }, appRules, app);
  assert.deepEqual(problems, [
    'settings.prune: expected true or false, got "maybe". Example: prune: true',
    'settings.port: expected a port, 1 to 65535, got 0',
    // An unreadable switch counts as set: its needs are named too.
    'settings.prune needs settings.label. Example: label: app=web',
    'settings.key is set but settings.cert is not: set them together, or none of them.',
    'set one of settings.files or settings.inline. Example: files: [a, b]',
    'settings.serevr is not a setting: did you mean settings.server?',
  ]);
});

test('the skip hook leaves the rules unchecked when the step has nothing to do, but not the values', () => {
  const read = readSettings(app, { PLUGIN_KEY: 'key-value' }, { rules: appRules, skip: () => 'nothing to do' });
  assert.equal(read.skip, 'nothing to do');
  assert.throws(() => readSettings(app, { PLUGIN_PORT: 'x' }, { rules: appRules, skip: () => 'nothing to do' }), /settings.port: expected a whole number/);
});

test('a name one edit from a declared one (two from a long one) fails; names of the other plugins and unlike names only warn', () => {
  const d = { namespace: setting.string({ doc: 'Namespace.' }), build_args: setting.map({ doc: 'Args.' }), webhook: setting.string({ doc: 'Hook.', aliases: ['hook_url'] }) };
  assert.deepEqual(problemsOf({ PLUGIN_NAMSPACE: 'demo', PLUGIN_BUILD_ARG: 'A=1', PLUGIN_WEBOOK: 'https://x', PLUGIN_HOOK_RUL: 'https://y' }, {}, d), [
    'settings.namspace is not a setting: did you mean settings.namespace?',
    'settings.build_arg is not a setting: did you mean settings.build_args?',
    'settings.webook is not a setting: did you mean settings.webhook?',
    'settings.hook_rul is not a setting: did you mean settings.hook_url?',
  ]);
  const { warnings } = readSettings(d, { PLUGIN_TAGS: 'a', PLUGIN_NAMESPACES: 'x' }, { otherPlugins: ['namespaces'] });
  assert.deepEqual(warnings, ['unknown setting settings.tags is ignored.', 'unknown setting settings.namespaces is ignored; did you mean settings.namespace?']);
});

test('a key=value list splits only at a comma that starts a new KEY=, exactly as Drone joins a YAML list', () => {
  const d = { args: setting.map({ doc: 'Args.' }) };
  const rows: Array<[string, Record<string, string>]> = [
    // build_args: ["DESCRIPTION=a, b", "FEATURES=search,cart", "X=1"]
    ['DESCRIPTION=a, b,FEATURES=search,cart,X=1', { DESCRIPTION: 'a, b', FEATURES: 'search,cart', X: '1' }],
    // Sortie's own .drone.yml.
    [
      'PLUGIN=slack,DESCRIPTION=Drone plugin: Slack notifications (webhook or Web API, threads, templates),VERSION=edge,REVISION=abc,SOURCE=https://github.com/x/y',
      { PLUGIN: 'slack', DESCRIPTION: 'Drone plugin: Slack notifications (webhook or Web API, threads, templates)', VERSION: 'edge', REVISION: 'abc', SOURCE: 'https://github.com/x/y' },
    ],
    ['org.opencontainers.image.title=a,b,app.kubernetes.io/name=web', { 'org.opencontainers.image.title': 'a,b', 'app.kubernetes.io/name': 'web' }],
    ['registry.local:5000=/c.pem,/k.pem', { 'registry.local:5000': '/c.pem,/k.pem' }],
    ['["A=x,B=y", "C=1"]', { A: 'x,B=y', C: '1' }],
    ['{"A": "x, y"}', { A: 'x, y' }],
  ];
  for (const [raw, want] of rows) assert.deepEqual(readSettings(d, { PLUGIN_ARGS: raw }).values.args, want, raw);
});

test('JSON nested past 64 levels is refused before it is parsed, quickly and in little memory', () => {
  const d = { block: setting.json({ doc: 'Block.' }), args: setting.map({ doc: 'Args.' }) };
  const deep = '['.repeat(20_000) + ']'.repeat(20_000);
  const started = performance.now();
  assert.throws(() => readSettings(d, { PLUGIN_BLOCK: deep, PLUGIN_ARGS: `{"a":${'{"b":'.repeat(100)}1${'}'.repeat(100)}}` }), (e: unknown) => {
    assert.ok(e instanceof SettingsError);
    assert.equal(e.problems.length, 2);
    assert.match(e.problems[0]!, /^settings\.block: JSON nested deeper than 64 levels, got "\[\[\[/);
    assert.match(e.problems[1]!, /^settings\.args: JSON nested deeper than 64 levels/);
    return true;
  });
  assert.ok(performance.now() - started < 1000);
  const ok = '['.repeat(64) + '"[[[{{{"' + ']'.repeat(64);
  assert.doesNotThrow(() => readSettings(d, { PLUGIN_BLOCK: ok }));
});

test('path settings stay in the workspace: .., absolute paths and symlinks out of it are refused', () => {
  const root = mkdtempSync(join(tmpdir(), 'settings-paths-'));
  const ws = join(root, 'src');
  mkdirSync(join(ws, 'k8s'), { recursive: true });
  writeFileSync(join(ws, 'k8s', 'a.yaml'), 'kind: x');
  writeFileSync(join(root, 'outside.txt'), 'x');
  symlinkSync(root, join(ws, 'up'));
  symlinkSync(join(root, 'not-yet'), join(ws, 'dangling'));
  symlinkSync(join(ws, 'k8s'), join(ws, 'inner'));
  const ok = (env: Record<string, string>) => assert.deepEqual(appProblems(env, ws), [], JSON.stringify(env));
  ok({ PLUGIN_FILES: 'k8s/,k8s/*.yaml,inner/a.yaml', PLUGIN_OUT: 'out/artifact.json', PLUGIN_CONTEXT: 'git://github.com/a/b.git' });
  ok({ PLUGIN_INLINE: 'Hello {{build.status}}', PLUGIN_OUT: join(ws, 'abs.json') });
  ok({ PLUGIN_INLINE: '../../etc/passwd-does-not-exist' });
  // Text that cannot be a path: longer than a file name may be, or under a file.
  ok({ PLUGIN_INLINE: `{{build.status}} ${'x'.repeat(10_000)}`, PLUGIN_OUT: `k8s/a.yaml/${'y'.repeat(5_000)}` });
  assert.deepEqual(appProblems({ PLUGIN_FILES: '../../etc/passwd' }, ws), [`settings.files: "../../etc/passwd" is outside the workspace ${ws}`]);
  assert.deepEqual(appProblems({ PLUGIN_FILES: '../*.yaml' }, ws), [`settings.files: "../*.yaml" is outside the workspace ${ws}`]);
  assert.deepEqual(appProblems({ PLUGIN_OUT: '/etc/passwd' }, ws), [`settings.out: "/etc/passwd" is outside the workspace ${ws}`]);
  assert.deepEqual(appProblems({ PLUGIN_OUT: 'up/outside.txt' }, ws), [`settings.out: "up/outside.txt" is outside the workspace ${ws} (a symlink leads to ${join(root, 'outside.txt')})`]);
  assert.deepEqual(appProblems({ PLUGIN_OUT: 'dangling' }, ws), [`settings.out: "dangling" is outside the workspace ${ws} (a symlink leads to ${join(root, 'not-yet')})`]);
  assert.deepEqual(appProblems({ PLUGIN_INLINE: '../outside.txt' }, ws), [`settings.inline: "../outside.txt" is outside the workspace ${ws}`]);
  assert.deepEqual(appProblems({ PLUGIN_INLINE: 'file:///etc/hostname' }, ws), [`settings.inline: "file:///etc/hostname" is outside the workspace ${ws}`]);
  assert.deepEqual(appProblems({ PLUGIN_CONTEXT: 'dir:///etc' }, ws), [`settings.context: "dir:///etc" is outside the workspace ${ws}`]);
  assert.deepEqual(appProblems({ PLUGIN_FILES: 'up/*.txt' }, ws).length, 1);
});

test("the README shows each rule under the table, a setting's flag and whether it is a workspace path", () => {
  const table = settingsTable({ out: app.out, key: app.key, cert: app.cert, args: setting.map({ doc: 'Args.', flag: '--build-arg' }) }, { together: [['cert', 'key']] });
  assert.equal(
    table,
    [
      '| setting (aliases) | type | default | description |',
      '|---|---|---|---|',
      '| `out` | string |  | Out. (in the workspace) |',
      '| `key` | string |  | Key. (secret) |',
      '| `cert` | string |  | Cert. |',
      '| `args` | map |  | Args. Passed as `--build-arg`, once per item. |',
      '',
      'Rules, checked with every other setting before the step does anything:',
      '- `cert` and `key` are set together or not at all.',
    ].join('\n'),
  );
  const noChoice = settingsTable({ tags: app.tags, auto: app.auto }, { exclusive: [['tags', 'auto']] });
  assert.ok(noChoice.endsWith('\n- `tags` (other than `["latest"]`) and `auto` exclude each other.'), noChoice);
});
