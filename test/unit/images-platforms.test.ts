import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { description, dockerfile } from '../../scripts/images/build.ts';
import { arches, elfMachine, hostArch, pinnedNode, platforms } from '../../scripts/images/runtime.ts';
import { plugins } from '../../scripts/images/stage.ts';

/** What the image tooling reads from the plugins: a new plugin gets its images with no edit to scripts/images. */
const root = join(import.meta.dirname, '..', '..');

describe('the images of the plugins there are', () => {
  test('one image for each plugins/*/main.ts, as scripts/build.ts bundles them', () => {
    const bundled = readdirSync(join(root, 'plugins')).filter((p) => existsSync(join(root, 'plugins', p, 'main.ts')));
    assert.deepEqual([...plugins], bundled.sort());
    assert.ok(plugins.includes('slack') && plugins.includes('kubernetes') && plugins.includes('kaniko'));
  });

  for (const plugin of plugins) {
    test(`${plugin}: described by the first sentence of its README, built from its own Dockerfile or the scratch one`, () => {
      const d = description(plugin);
      assert.match(d, /^Drone plugin: [A-Z].*[.!?]$/);
      assert.doesNotMatch(d, /[`\n]|\]\(/, 'plain text: no Markdown');
      assert.ok(d.length < 300, d);
      const file = dockerfile(plugin);
      const own = join(root, 'images', plugin, 'Dockerfile');
      assert.equal(file.path, existsSync(own) ? own : join(root, 'images', 'scratch', 'Dockerfile'));
      assert.equal(file.args.DESCRIPTION, d);
      if (!existsSync(own)) assert.equal(file.args.PLUGIN, plugin);
    });
  }

  test('a README link or code span becomes its text', () => {
    // kaniko's README opens with a link to the executor fork it uses.
    assert.match(description('kaniko'), /the maintained osscontainertools\/kaniko fork/);
  });
});

describe('platforms', () => {
  test('linux/amd64 and linux/arm64, each with its ELF machine and GNU triple', () => {
    assert.deepEqual([...arches], ['amd64', 'arm64']);
    assert.equal(platforms.amd64.elfMachine, 62, 'EM_X86_64');
    assert.equal(platforms.arm64.elfMachine, 183, 'EM_AARCH64');
    assert.equal(platforms.arm64.triple, 'aarch64-linux-gnu');
  });

  test("the pinned Node binary is this machine's architecture by its ELF header", () => {
    assert.equal(elfMachine(pinnedNode().path), platforms[hostArch()].elfMachine);
    assert.throws(() => elfMachine(Buffer.from('#!/bin/sh\n'.padEnd(20, ' '))), /not an ELF file/);
  });
});
