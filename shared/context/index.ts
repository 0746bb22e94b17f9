export { buildContext, isFailedStatus } from './build-context.ts';
export type { BuildContext, Person } from './build-context.ts';
export { goUnquote } from './go-unquote.ts';
export { overlayStatusFile, parseStatusFile } from './status-file.ts';
