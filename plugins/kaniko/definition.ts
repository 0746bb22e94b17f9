import { autoTagSkip } from '../../shared/image/tags.ts';
import type { PluginDefinition, PluginInput } from '../../shared/plugin.ts';
import { otherPlugins } from '../setting-names.ts';
import { rules, settings } from './settings.ts';

/**
 * Everything the runner needs of the plugin: main.ts starts it, the start-up benchmark snapshots it.
 * The run is imported when the step starts: a step stopped by its settings never compiles it.
 */
export const definition: PluginDefinition<typeof settings> = { name: 'kaniko', settings, rules, otherPlugins: otherPlugins('kaniko'), skip: autoTagSkip, run: async (input: PluginInput<typeof settings>) => (await import('./run.ts')).run(input) };
