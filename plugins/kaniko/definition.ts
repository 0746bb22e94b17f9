import type { PluginDefinition } from '../../shared/plugin.ts';
import { otherPlugins } from '../setting-names.ts';
import { skipReason } from './plan.ts';
import { run } from './run.ts';
import { rules, settings } from './settings.ts';

/** Everything the runner needs of the plugin: main.ts starts it, the start-up benchmark snapshots it. */
export const definition: PluginDefinition<typeof settings> = { name: 'kaniko', settings, rules, otherPlugins: otherPlugins('kaniko'), skip: skipReason, run };
