import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { withCommon } from '../shared/plugin.ts';
import { type Declaration, withSettingsTable } from '../shared/settings/index.ts';

export const root = join(import.meta.dirname, '..');

export interface Readme {
  readonly plugin: string;
  readonly path: string;
  readonly current: string;
  /** The README with its settings table generated from the plugin's declaration. */
  readonly expected: string;
}

export async function pluginReadmes(): Promise<Readme[]> {
  const plugins = readdirSync(join(root, 'plugins')).filter((p) => existsSync(join(root, 'plugins', p, 'settings.ts')));
  return Promise.all(
    plugins.map(async (plugin) => {
      const { settings } = (await import(join(root, 'plugins', plugin, 'settings.ts'))) as { settings: Declaration };
      const path = join(root, 'plugins', plugin, 'README.md');
      const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
      try {
        return { plugin, path, current, expected: withSettingsTable(current, withCommon(settings)) };
      } catch (err) {
        throw new Error(`plugins/${plugin}/README.md: ${(err as Error).message}`);
      }
    }),
  );
}
