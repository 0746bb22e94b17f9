import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { loadAll } from 'js-yaml';

/** The corpus: every directory below it holding an `expected.yaml` is a kustomization to build. */
export const CORPUS = join(import.meta.dirname, 'corpus');

export const EXPECTED = 'expected.yaml';

export function corpusCases(): { name: string; dir: string }[] {
  return readdirSync(CORPUS, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name === EXPECTED)
    .map((d) => ({ name: relative(CORPUS, d.parentPath), dir: d.parentPath }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** What `kubectl kustomize` builds from `dir`, as its text; undefined when kubectl is not installed. */
export function kubectlKustomize(dir: string): string | undefined {
  try {
    return execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`kubectl kustomize ${relative(dirname(CORPUS), dir)}: ${(err as { stderr?: string }).stderr ?? err}`);
  }
}

export function parseObjects(text: string): unknown[] {
  return loadAll(text).filter((o) => o !== null && o !== undefined);
}
