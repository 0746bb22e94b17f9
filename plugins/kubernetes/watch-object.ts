/**
 * One object kept current by a watch, for waits that should end the moment it changes. Where
 * watching fails, the wait reads the object itself; only a 403 (no `watch` permission) stops
 * the watch for good.
 */
import type { Logger } from '../../shared/log.ts';
import { sleep } from '../../shared/stop.ts';
import { type KubeClient, KubeError, type WatchEvent } from './kube.ts';
import type { KubeObject } from './manifests.ts';

export interface Followed {
  readonly target: { readonly label: string; readonly path: string; readonly name: string };
  /** The object as last seen, read or watched. */
  object?: KubeObject;
  /** True while a watch is open: `object` is then as current as the server's. */
  watching?: boolean;
  /** The follower, once started; it never rejects. */
  watch?: Promise<void>;
}

interface FollowOptions {
  /** Ends the watch and closes its connection. */
  readonly signal: AbortSignal;
  /** Called for every change the watch brings. */
  readonly onChange: () => void;
  /** The pause before opening again a watch that failed or ended without an event. */
  readonly retryMs: number;
  readonly log: Logger;
}

/**
 * The server ends a watch after this long (its own limit is 30 to 60 minutes); it is then opened
 * again from where it stopped.
 */
const WATCH_SECONDS = 240;

/** What ended one watch: a 410 Gone needs the object read again before the next. */
type Ending = 'gone' | 'ended' | 'quiet';

/**
 * Watches `f.target` from the resourceVersion of `f.object` (read before), keeping `f.object`
 * current: resumes from the last version seen when the server ends the watch or the connection
 * drops, lists it again when that version is gone (410), and stops on a 403, when the object is
 * deleted, or when `o.signal` is aborted.
 */
export async function follow(kube: KubeClient, f: Followed, o: FollowOptions): Promise<void> {
  const path = f.target.path;
  const collection = path.slice(0, path.lastIndexOf('/'));
  const fieldSelector = `metadata.name=${f.target.name}`;
  const from = { rv: f.object?.metadata.resourceVersion as string | undefined };
  while (!o.signal.aborted) {
    let ending: Ending;
    try {
      ending = await watchOnce(await kube.watch(collection, { fieldSelector, resourceVersion: from.rv, timeoutSeconds: String(WATCH_SECONDS) }, o.signal), f, from, o);
    } catch (err) {
      f.watching = false;
      if (o.signal.aborted) return;
      if (err instanceof KubeError && err.status.code === 403) {
        o.log.debug(`${f.target.label}: not allowed to watch it (${err.status.message}); reading it every ${o.retryMs} ms instead`);
        return;
      }
      ending = err instanceof KubeError && err.status.code === 410 ? 'gone' : 'quiet';
      if (ending === 'quiet') o.log.debug(`${f.target.label}: the watch failed (${(err as Error).message}); opening it again`);
    }
    f.watching = false;
    if (f.object === undefined) return;
    try {
      if (ending === 'gone') {
        // A list, for its resourceVersion: the object's own may be older than what the server keeps.
        const { body } = await kube.call<{ metadata: { resourceVersion?: string }; items: KubeObject[] }>('GET', collection, { query: { fieldSelector } });
        f.object = body.items[0];
        from.rv = body.metadata.resourceVersion;
        o.onChange();
      } else if (ending === 'quiet') await sleep(o.retryMs, o.signal);
    } catch {
      // Stopped, or the object cannot be read: the wait reads it, and says why.
      return;
    }
  }
}

async function watchOnce(events: AsyncIterable<WatchEvent>, f: Followed, from: { rv: string | undefined }, o: FollowOptions): Promise<Ending> {
  f.watching = true;
  let seen = false;
  for await (const e of events) {
    if (e.type === 'ERROR') {
      // The version to resume from is compacted away: the watch cache says so in the stream.
      if ((e.object as { code?: number }).code === 410) return 'gone';
      o.log.debug(`${f.target.label}: the watch ended with an error: ${String((e.object as { message?: string }).message)}`);
      return 'quiet';
    }
    from.rv = (e.object as KubeObject).metadata?.resourceVersion as string | undefined;
    if (e.type === 'BOOKMARK') continue;
    seen = true;
    if (e.type === 'DELETED') {
      // Gone: the wait reads it and reports that.
      f.object = undefined;
      o.onChange();
      return 'ended';
    }
    f.object = e.object as KubeObject;
    o.onChange();
  }
  return seen ? 'ended' : 'quiet';
}

/** A wait that a change ends early; a change while nobody waits ends the next wait at once. */
export function wakeup(): { notify(): void; wait(ms: number, signal: AbortSignal): Promise<void> } {
  let pending = false;
  let wake: (() => void) | undefined;
  return {
    notify() {
      pending = true;
      wake?.();
    },
    wait(ms, signal) {
      return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', stopped);
          wake = undefined;
          pending = false;
        };
        const stopped = () => {
          done();
          reject(signal.reason);
        };
        const timer = setTimeout(() => {
          done();
          resolve();
        }, ms);
        wake = () => {
          done();
          resolve();
        };
        signal.addEventListener('abort', stopped, { once: true });
        if (pending) wake();
      });
    },
  };
}
