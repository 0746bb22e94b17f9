import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatedFiles } from '../../scripts/readmes.ts';

test("every plugin README's settings table, and the list of every plugin's setting names, match the declarations", async () => {
  for (const file of await generatedFiles()) {
    assert.equal(file.current, file.expected, `${file.name} is stale: run npm run docs`);
  }
});
