import type { PluginDefinition } from '../../shared/plugin.ts';
import { otherPlugins } from '../setting-names.ts';
import { run } from './run.ts';
import { rules, settings } from './settings.ts';

/** Everything the runner needs of the plugin: main.ts starts it, the start-up benchmark snapshots it. */
export const definition: PluginDefinition<typeof settings> = { name: 'slack', settings, rules, otherPlugins: otherPlugins('slack'), timeLimit: 'timeout', run };
