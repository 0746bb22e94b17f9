export { commonSettings, setting } from './declare.ts';
export type { Declaration, Rules, Setting, SettingOptions, Values } from './declare.ts';
export { settingsTable, withSettingsTable } from './docs.ts';
export { declaresEnv } from './names.ts';
export { parseDuration } from './parse-value.ts';
export { readSettings, SettingsError } from './read.ts';
export type { ReadOptions, ReadSettings } from './read.ts';
export { workspacePathProblem } from './workspace-path.ts';
