import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildKustomization } from '../../../plugins/kubernetes/kustomize/build.ts';
import { CORPUS, EXPECTED, corpusCases, kubectlKustomize, parseObjects } from '../../kustomize/corpus.ts';

const build = (dir: string) => buildKustomization(dir, { workspace: CORPUS, restrictor: 'rootOnly', render: (text) => text }).map((m) => m.object);

describe('kustomize corpus: the build equals `kubectl kustomize`, object for object', () => {
  for (const { name, dir } of corpusCases()) {
    it(name, () => {
      const built = build(dir);
      assert.deepEqual(built, parseObjects(readFileSync(join(dir, EXPECTED), 'utf8')), `${name}: differs from the committed ${EXPECTED}`);
      const fresh = kubectlKustomize(dir);
      if (fresh !== undefined) assert.deepEqual(built, parseObjects(fresh), `${name}: differs from kubectl kustomize run now`);
    });
  }
});
