/**
 * Refreshes the kustomize corpus's expected outputs with `kubectl kustomize` (kustomize v5).
 *   node scripts/kustomize-corpus.ts                 every case (each directory holding expected.yaml)
 *   node scripts/kustomize-corpus.ts <dir> [<dir>]   these directories, new cases too
 */
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CORPUS, EXPECTED, corpusCases, kubectlKustomize } from '../test/kustomize/corpus.ts';

const dirs = process.argv.length > 2 ? process.argv.slice(2).map((d) => resolve(d)) : corpusCases().map((c) => c.dir);
for (const dir of dirs) {
  const text = kubectlKustomize(dir);
  if (text === undefined) {
    console.error('kubectl is not installed: it builds the expected outputs');
    process.exit(1);
  }
  writeFileSync(join(dir, EXPECTED), text);
  console.log(`${relative(CORPUS, dir)}/${EXPECTED}`);
}
