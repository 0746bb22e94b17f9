import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runBundleMeasured } from '../support/run-measured.ts';
import { workspace } from '../support/workspace.ts';

/**
 * Hostile or mistaken kustomizations, through the bundled plugin: each stops before any request
 * (no cluster is given: none is reached), naming the kustomization file, in bounded time and memory.
 */
async function expectRefused(files: Record<string, string>, dir: string, message: RegExp, env: Record<string, string> = {}): Promise<void> {
  const ws = workspace(files);
  const r = await runBundleMeasured('kubernetes', { DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: join(ws, 'no-env-file'), PLUGIN_KUSTOMIZE: dir, ...env }, { cwd: ws });
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 1, out);
  assert.match(r.stderr, message);
  assert.doesNotMatch(out, /unexpected failure/);
  assert.ok(r.ms < 10_000 && r.maxRssMiB < 200, `took ${Math.round(r.ms)} ms, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
}

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata: {a: "1"}\n`;

describe('hostile kustomizations', () => {
  it('bases included twice by each of twenty layers (a million reads): refused', async () => {
    const files: Record<string, string> = { 'l0/kustomization.yaml': 'resources: [a.yaml]\n', 'l0/a.yaml': cm('a') };
    for (let i = 1; i <= 20; i++) {
      files[`l${i}/kustomization.yaml`] = `resources: [../l${i}x, ../l${i}y]\n`;
      files[`l${i}x/kustomization.yaml`] = `namePrefix: x-\nresources: [../l${i - 1}]\n`;
      files[`l${i}y/kustomization.yaml`] = `namePrefix: y-\nresources: [../l${i - 1}]\n`;
    }
    await expectRefused(files, 'l20', /refused: the build reads more than 2,000 files or 64 MiB in all/);
  });

  it('a base that includes its overlay', async () => {
    await expectRefused({ 'app/kustomization.yaml': 'resources: [../base]\n', 'base/kustomization.yaml': 'resources:\n  - ../app\n' }, 'app', /base\/kustomization\.yaml:2: resources\[0\]: \.\.\/app includes a kustomization that includes it/);
  });

  it('an alias bomb in a resource', async () => {
    const bomb = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: laughs}', 'data:', '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [i, c] of [...'bcdefghi'].entries()) {
      const p = 'abcdefghi'[i]!;
      bomb.push(`  ${c}: &${c} [${Array(10).fill(`*${p}`).join(',')}]`);
    }
    await expectRefused({ 'k/kustomization.yaml': 'resources: [bomb.yaml]\n', 'k/bomb.yaml': `${bomb.join('\n')}\n` }, 'k', /k\/bomb\.yaml:1: refused: .*1,000,000 nodes/);
  });

  it('a remote base, Helm charts, a plugin, vars', async () => {
    await expectRefused({ 'k/kustomization.yaml': 'resources:\n  - github.com/org/repo//deploy?ref=main\n' }, 'k', /k\/kustomization\.yaml:2: resources\[0\]: github\.com\/org\/repo\/\/deploy\?ref=main is a remote base/);
    await expectRefused({ 'k/kustomization.yaml': 'transformers: [t.yaml]\n' }, 'k', /k\/kustomization\.yaml:1: transformers is not supported/);
    await expectRefused({ 'k/kustomization.yaml': 'resources: []\nvars:\n  - name: X\n' }, 'k', /k\/kustomization\.yaml:2: vars is not supported: vars are deprecated/);
  });

  it('a file outside the kustomization, and outside the workspace even with load_restrictor: none', async () => {
    const files = { 'k/kustomization.yaml': 'resources:\n  - ../other/a.yaml\n', 'other/a.yaml': cm('a') };
    await expectRefused(files, 'k', /k\/kustomization\.yaml:2: resources\[0\]: \.\.\/other\/a\.yaml is outside the kustomization's directory k/);
    await expectRefused({ 'k/kustomization.yaml': 'resources:\n  - ../../../../etc/passwd\n' }, 'k', /is outside the workspace/, { PLUGIN_LOAD_RESTRICTOR: 'none' });
  });
});
