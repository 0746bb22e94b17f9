import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { loadAll } from 'js-yaml';
import { settings as kaniko } from '../../plugins/kaniko/settings.ts';
import { settings as kubernetes } from '../../plugins/kubernetes/settings.ts';
import { settings as slack } from '../../plugins/slack/settings.ts';
import { dockerfile } from '../../scripts/images/build.ts';
import { type Plugin, plugins } from '../../scripts/images/stage.ts';
import { commonSettings } from '../../shared/settings/declare.ts';

/** The project's own .drone.yml: its shape, and every setting it gives a Sortie plugin is one that plugin declares. */
const root = join(import.meta.dirname, '..', '..');
const declarations: Record<string, Record<string, { options: { aliases?: readonly string[] } }>> = { slack, kubernetes, kaniko };

interface Step {
  name: string;
  image: string;
  commands?: string[];
  settings?: Record<string, unknown>;
  environment?: Record<string, unknown>;
  depends_on?: string[];
  when?: { ref?: string[]; status?: string[] };
}
interface Pipeline {
  kind: string;
  type: string;
  name: string;
  steps: Step[];
}

const docs = loadAll(readFileSync(join(root, '.drone.yml'), 'utf8')) as Pipeline[];
const pipeline = docs.find((d) => d.kind === 'pipeline')!;
const steps = pipeline.steps;
const step = (name: string) => steps.find((s) => s.name === name)!;

/** `sortie/kaniko:latest`, `registry.example.com/sortie/slack` -> the plugin; undefined for other images. */
function sortiePlugin(image: string): string | undefined {
  const m = /(?:^|\/)sortie\/([a-z0-9-]+)(?::[^/@]+)?(?:@sha256:[0-9a-f]{64})?$/.exec(image);
  return m?.[1];
}

/** Every name a plugin accepts under `settings:`. */
function accepted(plugin: string): Set<string> {
  const all = { ...commonSettings, ...declarations[plugin]! };
  return new Set(Object.entries(all).flatMap(([name, s]) => [name, ...(s.options.aliases ?? [])]));
}

describe('.drone.yml', () => {
  test('is a kubernetes pipeline', () => {
    assert.equal(pipeline.type, 'kubernetes');
    assert.equal(new Set(steps.map((s) => s.name)).size, steps.length, 'step names are unique');
  });

  test('every setting passed to a Sortie plugin is declared by that plugin (a name, an alias, or a common setting)', () => {
    const used = steps.filter((s) => sortiePlugin(s.image));
    assert.ok(used.length >= 4);
    for (const s of used) {
      const plugin = sortiePlugin(s.image)!;
      assert.ok(declarations[plugin], `${s.name}: no Sortie plugin ${plugin}`);
      assert.equal(s.commands, undefined, `${s.name}: a plugin step has no commands`);
      const names = accepted(plugin);
      for (const key of Object.keys(s.settings ?? {})) assert.ok(names.has(key), `${s.name}: sortie/${plugin} has no setting "${key}"`);
    }
  });

  test('the check above catches an unknown setting', () => {
    assert.ok(!accepted('slack').has('webhook_url'));
    assert.ok(accepted('kaniko').has('tag'), 'aliases count');
    assert.ok(accepted('slack').has('env_file'), 'common settings count');
  });

  test('tests first: npm ci && npm test in a Node 24 image', () => {
    const t = steps[0]!;
    assert.match(t.image, /^node:24\b/);
    assert.deepEqual(t.commands, ['npm ci', 'npm test']);
  });

  test('on tags and the default branch, every image is built and pushed with sortie/kaniko', () => {
    const images = steps.filter((s) => sortiePlugin(s.image) === 'kaniko');
    const repos = images.map((s) => s.settings!.repo).sort();
    assert.deepEqual(repos, ['sortie/kaniko', 'sortie/kubernetes', 'sortie/slack']);
    for (const s of images) {
      const plugin = String(s.settings!.repo).split('/')[1]!;
      assert.deepEqual(s.when?.ref, ['refs/heads/main', 'refs/tags/v*'], s.name);
      assert.equal(s.settings!.auto_tag, true, s.name);
      for (const secret of ['username', 'password']) assert.deepEqual(Object.keys(s.settings![secret] as object), ['from_secret'], `${s.name}: ${secret} from a secret`);
      const file = dockerfile(plugin as Plugin);
      assert.equal(s.settings!.dockerfile, relative(root, file.path));
      for (const [k, v] of Object.entries(file.args)) assert.ok((s.settings!.build_args as string[]).includes(`${k}=${v}`), `${s.name}: build arg ${k}`);
      assert.ok(existsSync(join(root, String(s.settings!.dockerfile))), `${s.name}: ${s.settings!.dockerfile} exists`);
      assert.equal(s.settings!.context, `build/images/${plugin}`, `${s.name}: the context stage-images writes`);
      assert.ok(s.depends_on?.includes('stage-images'), `${s.name} waits for the staged contexts`);
    }
    const k = images.find((s) => s.settings!.repo === 'sortie/kaniko')!;
    assert.deepEqual(k.settings!.build_args_from_env, ['KANIKO_IMAGE'], 'the kaniko base is given, not the Dockerfile default');
    assert.deepEqual(Object.keys(k.environment!.KANIKO_IMAGE as object), ['from_secret']);
    assert.match(step('stage-images').commands!.join('\n'), /scripts\/images\/stage\.ts --out build\/images/);
    assert.ok(step('stage-images').depends_on?.includes('test'));
  });

  test('notifies with sortie/slack on success and failure, after everything else', () => {
    const n = steps.filter((s) => sortiePlugin(s.image) === 'slack');
    assert.equal(n.length, 1);
    const notify = n[0]!;
    assert.deepEqual([...(notify.when?.status ?? [])].sort(), ['failure', 'success']);
    assert.deepEqual(Object.keys(notify.settings!.webhook as object), ['from_secret']);
    const others = steps.filter((s) => s !== notify && s.name !== 'stage-images').map((s) => s.name);
    assert.deepEqual([...notify.depends_on!].sort(), others.sort());
  });
});

describe('the Dockerfiles', () => {
  const dockerfileText = (plugin: Plugin) => readFileSync(dockerfile(plugin).path, 'utf8');
  const instructions = (text: string) =>
    text
      .replace(/\\\n/g, ' ')
      .split('\n')
      .filter((l) => l.trim() && !l.trimStart().startsWith('#'))
      .map((l) => l.trim());

  for (const plugin of plugins) {
    test(`${plugin}: builds under docker build and kaniko alike`, () => {
      const text = dockerfileText(plugin);
      assert.doesNotMatch(text, /^#\s*syntax=/m, 'no BuildKit frontend (kaniko ignores it, and it would be pulled)');
      const lines = instructions(text);
      for (const line of lines) {
        assert.match(line, /^(ARG|FROM|COPY|ENV|USER|LABEL|ENTRYPOINT) /, `only instructions both builders treat alike: ${line}`);
        assert.doesNotMatch(line, /--(mount|link|chmod|parents|exclude)\b|<</, `no BuildKit-only syntax: ${line}`);
      }
      const entry = lines.find((l) => l.startsWith('ENTRYPOINT '))!;
      const argv = JSON.parse(entry.slice('ENTRYPOINT '.length)) as string[];
      assert.ok(Array.isArray(argv) && argv.length >= 2, 'exec form: there is no shell');
      const copies = lines.filter((l) => l.startsWith('COPY ')).map((l) => l.split(/\s+/)[1]);
      assert.deepEqual(copies, plugin === 'kaniko' ? ['runtime/kaniko/', 'plugin/kaniko/'] : ['runtime/', 'plugin/'], 'the layers scripts/images/stage.ts writes');
      if (plugin === 'kaniko') {
        assert.equal(lines[0]!.split('=')[0], 'ARG KANIKO_IMAGE', 'the base is an ARG');
        assert.ok(lines.includes('FROM ${KANIKO_IMAGE}'));
        assert.ok(argv.every((a) => !a.startsWith('/') || a.startsWith('/kaniko/')), 'kaniko deletes everything outside /kaniko');
      } else {
        assert.ok(lines.includes('FROM scratch'));
        assert.ok(lines.includes('USER 65532:65532'), 'not root');
        assert.deepEqual(argv, ['/usr/local/bin/node', '/sortie/plugin.js']);
      }
      for (const label of ['source', 'revision', 'version', 'licenses']) assert.match(text, new RegExp(`org\\.opencontainers\\.image\\.${label}=`));
    });
  }
});
