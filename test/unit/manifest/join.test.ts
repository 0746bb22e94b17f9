import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from '../../../plugins/manifest/join.ts';
import type { JoinPlan } from '../../../plugins/manifest/plan.ts';
import { type ImageRef, parseImage } from '../../../plugins/manifest/reference.ts';
import { type FetchedManifest, MEDIA, type Registry } from '../../../plugins/manifest/registry.ts';
import { createLogger } from '../../../shared/log.ts';

/** A registry in memory: manifests by image name, each with the platform its config says. */
function fakeRegistry(images: Record<string, { architecture: string; os?: string; variant?: string; mediaType?: string }>) {
  const calls: string[] = [];
  const registry: Registry = {
    async manifest(ref) {
      const image = images[ref.name];
      if (!image) return undefined;
      const raw = Buffer.from(JSON.stringify({ name: ref.name }));
      const mediaType = image.mediaType ?? MEDIA.ociManifest;
      const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:config-${ref.name}`, size: 2 };
      return { mediaType, digest: `sha256:${ref.reference}`, raw, config, layers: [], isIndex: mediaType === MEDIA.ociIndex } satisfies FetchedManifest;
    },
    async config(ref) {
      const { mediaType: _, ...platform } = images[ref.name]!;
      return { os: 'linux', ...platform };
    },
    async hasBlob() {
      return false;
    },
    async mount(to, from, digest) {
      calls.push(`mount ${digest} from ${from.repository} to ${to.repository}`);
    },
    async putManifest(ref, reference) {
      calls.push(`put ${ref.repository}:${reference}`);
      return 'sha256:put';
    },
  };
  return { registry, calls };
}

const ref = (name: string): ImageRef => parseImage(name)!;

function plan(sources: Array<[string, string]>, ignoreMissing = false): JoinPlan {
  return {
    target: ref('registry.example.com/team/app:1'),
    tags: ['1'],
    ignoreMissing,
    sources: sources.map(([name, platform]) => {
      const [os, architecture, variant] = platform.split('/') as [string, string, string | undefined];
      return { image: ref(name), platform: variant ? { os, architecture, variant } : { os, architecture } };
    }),
  };
}

const quiet = createLogger({ out: () => {}, err: () => {} });

test('a variant only one side names is the default; two different variants are an error', async () => {
  const { registry } = fakeRegistry({
    'registry.example.com/team/app:1-arm64': { architecture: 'arm64' },
    'registry.example.com/team/app:1-armv7': { architecture: 'arm', variant: 'v7' },
    'registry.example.com/team/app:1-armv6': { architecture: 'arm', variant: 'v6' },
  });
  const joined = await join(plan([['registry.example.com/team/app:1-arm64', 'linux/arm64/v8'], ['registry.example.com/team/app:1-armv7', 'linux/arm']]), registry, quiet);
  assert.equal(joined.mediaType, MEDIA.ociIndex);
  await assert.rejects(join(plan([['registry.example.com/team/app:1-armv6', 'linux/arm/v7']]), registry, quiet), /^PluginError: registry\.example\.com\/team\/app:1-armv6 is linux\/arm\/v6, not linux\/arm\/v7/);
});

test('a source that is already an index is an error naming it; nothing is pushed', async () => {
  const { registry, calls } = fakeRegistry({
    'registry.example.com/build/amd64:1': { architecture: 'amd64' },
    'registry.example.com/team/app:multi': { architecture: 'amd64', mediaType: MEDIA.ociIndex },
  });
  await assert.rejects(
    join(plan([['registry.example.com/build/amd64:1', 'linux/amd64'], ['registry.example.com/team/app:multi', 'linux/arm64']]), registry, quiet),
    /team\/app:multi \(linux\/arm64\) is already a multi-platform index/,
  );
  assert.deepEqual(calls, []);
});

test('every source missing is an error even with ignore_missing', async () => {
  const { registry } = fakeRegistry({});
  await assert.rejects(join(plan([['registry.example.com/team/app:1-amd64', 'linux/amd64'], ['registry.example.com/team/app:1-arm64', 'linux/arm64']], true), registry, quiet), /none of the 2 source images exists/);
});

test('a source of another repository: its blobs mounted, its manifest pushed by digest, then the index under each tag', async () => {
  const { registry, calls } = fakeRegistry({ 'registry.example.com/build/arm64:7': { architecture: 'arm64' } });
  await join({ ...plan([['registry.example.com/build/arm64:7', 'linux/arm64']]), tags: ['1', 'latest'] }, registry, quiet);
  assert.deepEqual(calls.map((c) => c.replace(/sha256:[0-9a-f]{64}/, 'sha256:<raw>')), [
    'mount sha256:config-registry.example.com/build/arm64:7 from build/arm64 to team/app',
    'put team/app:sha256:<raw>',
    'put team/app:1',
    'put team/app:latest',
  ]);
});
