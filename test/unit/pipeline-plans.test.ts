import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadAll } from 'js-yaml';
import { planFromEnv } from '../../plugins/kaniko/plan.ts';
import { planJoin } from '../../plugins/manifest/plan.ts';
import { rules as manifestRules, settings as manifestSettings } from '../../plugins/manifest/settings.ts';
import { arches } from '../../scripts/images/runtime.ts';
import { plugins } from '../../scripts/images/stage.ts';
import { IMAGE_PREFIX } from '../../scripts/pipeline.ts';
import { buildContext } from '../../shared/context/index.ts';
import { readSettings } from '../../shared/settings/index.ts';
import { droneBuildEnv } from '../support/drone-env.ts';

/**
 * The project's own .drone.yml, its image steps read as the plugins read them: each step's settings
 * become the environment Drone gives the step, are read against the plugin's own declaration and
 * rules, and planned. The per-architecture builds push what the manifest steps join.
 */
interface Step {
  name: string;
  image: string;
  settings?: Record<string, unknown>;
  environment?: Record<string, unknown>;
}
const docs = loadAll(readFileSync(join(import.meta.dirname, '..', '..', '.drone.yml'), 'utf8')) as Array<{ name: string; steps: Step[] }>;
const steps = (pipeline: string) => docs.find((d) => d.name === pipeline)!.steps;

const SHA = droneBuildEnv.DRONE_COMMIT_SHA!;

/** Drone's substitution of `${NAME}`, `${NAME:offset:length}` and `${NAME:-default}` in settings. */
function substitute(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::(\d+):(\d+)|:-([^}]*))?\}/g, (_, name: string, offset?: string, length?: string, fallback?: string) => {
    const value = env[name];
    if (offset !== undefined) return (value ?? '').slice(Number(offset), Number(offset) + Number(length));
    return value || (fallback ?? '');
  });
}

/** A step's settings as Drone passes them: PLUGIN_<NAME>, lists joined by commas, secrets resolved. */
function stepEnv(step: Step): Record<string, string> {
  const env: Record<string, string> = { ...droneBuildEnv, DRONE_WORKSPACE: '/drone/src' };
  const value = (v: unknown): string => {
    if (Array.isArray(v)) return v.map(value).join(',');
    if (v && typeof v === 'object' && 'from_secret' in v) return `secret-${String(v.from_secret)}`;
    return substitute(String(v), droneBuildEnv);
  };
  for (const [k, v] of Object.entries(step.environment ?? {})) env[k] = value(v);
  for (const [k, v] of Object.entries(step.settings ?? {})) env[`PLUGIN_${k.toUpperCase()}`] = value(v);
  return env;
}

describe('.drone.yml, read by the plugins it runs', () => {
  const pushed = new Map<string, string[]>();

  for (const arch of arches) {
    test(`images-${arch}: sortie/kaniko on an ${arch} node pushes each image as <commit>-${arch}`, () => {
      for (const step of steps(`images-${arch}`).filter((s) => s.image.startsWith('sortie/kaniko'))) {
        const plan = planFromEnv(stepEnv(step), undefined, arch);
        assert.ok(!('skip' in plan), `${step.name}: ${'skip' in plan ? plan.skip : ''}`);
        const plugin = step.name.slice('image-'.length);
        assert.deepEqual(plan.images, [`${IMAGE_PREFIX}/${plugin}:${SHA.slice(0, 8)}-${arch}`], step.name);
        pushed.set(plugin, [...(pushed.get(plugin) ?? []), ...plan.images]);
      }
      assert.equal(pushed.size, plugins.length);
    });
  }

  test('images: each sortie/manifest step passes its declaration and joins exactly what was pushed', () => {
    for (const step of steps('images')) {
      const env = stepEnv(step);
      const { values } = readSettings(manifestSettings, env, { rules: manifestRules });
      const plan = planJoin({ settings: values, build: buildContext(env, '/drone/src') });
      const plugin = step.name.slice('index-'.length);
      assert.deepEqual(plan.sources.map((s) => s.image.name), pushed.get(plugin), step.name);
      assert.deepEqual(plan.sources.map((s) => s.platform.architecture), [...arches], step.name);
      // A push to the default branch: the commit's tag and latest.
      assert.deepEqual(plan.tags, [SHA.slice(0, 8), 'latest'], step.name);
    }
  });
});
