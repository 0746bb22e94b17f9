import type { Logger } from '../../shared/log.ts';

/**
 * A logger whose lines wait for `release()`: the manifests are built before the step connects (a
 * mistake in them needs no cluster), yet the log's first line must say where the step deploys.
 */
export function heldLog(log: Logger): { log: Logger; release: () => void } {
  const held: Array<() => void> = [];
  return {
    log: {
      get debugEnabled() {
        return log.debugEnabled;
      },
      info: (line) => held.push(() => log.info(line)),
      warn: (line) => held.push(() => log.warn(line)),
      error: (line) => held.push(() => log.error(line)),
      debug: (line) => held.push(() => log.debug(line)),
    },
    release: () => {
      for (const emit of held.splice(0)) emit();
    },
  };
}
