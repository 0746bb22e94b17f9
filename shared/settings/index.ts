export { commonSettings, setting } from './declare.ts';
export type { Declaration, Rules, Setting, Values } from './declare.ts';
export { settingsTable, withSettingsTable } from './docs.ts';
export { declaresEnv } from './names.ts';
export { readSettings, SettingsError } from './read.ts';
export { workspacePathProblem } from './workspace-path.ts';
