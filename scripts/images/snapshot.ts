import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './runtime.ts';

/**
 * A snapshot-friendly bundle of a plugin: the same modules as dist/<plugin>.js, but its start is
 * registered with `v8.startupSnapshot.setDeserializeMainFunction` instead of run at load, so that
 * `useSnapshot: true` captures the loaded modules and the plugin starts on deserialization.
 */
export async function snapshotBundle(plugin: string, outfile: string): Promise<string> {
  const imp = (p: string) => JSON.stringify(join(repoRoot, p));
  const contents = [
    "import v8 from 'node:v8';",
    `import { startPlugin } from ${imp('shared/plugin.ts')};`,
    `import { definition } from ${imp(`plugins/${plugin}/definition.ts`)};`,
    'v8.startupSnapshot.setDeserializeMainFunction(() => startPlugin(definition));',
  ].join('\n');
  await build({
    stdin: { contents, resolveDir: repoRoot, sourcefile: `${plugin}-snapshot-entry.ts`, loader: 'ts' },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    logLevel: 'warning',
  });
  writeFileSync(join(outfile, '..', 'package.json'), '{ "type": "commonjs" }\n');
  return outfile;
}
