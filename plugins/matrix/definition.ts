import { notifySkip } from '../../shared/notify/outcome.ts';
import type { PluginDefinition, PluginInput } from '../../shared/plugin.ts';
import { otherPlugins } from '../setting-names.ts';
import { rules, settings } from './settings.ts';

/** The run is imported when the step starts: a step stopped by its settings never compiles it. */
export const definition: PluginDefinition<typeof settings> = { name: 'matrix', settings, rules, otherPlugins: otherPlugins('matrix'), skip: notifySkip, timeLimit: 'timeout', run: async (input: PluginInput<typeof settings>) => (await import('./run.ts')).run(input) };
