import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pluginReadmes } from '../../scripts/readmes.ts';

test("every plugin README's settings table matches the plugin's declaration", async () => {
  for (const readme of await pluginReadmes()) {
    assert.equal(readme.current, readme.expected, `plugins/${readme.plugin}/README.md is stale: run npm run docs`);
  }
});
