import { matchesGlob } from 'node:path';
import { type BuildContext, isFailedStatus } from '../context/index.ts';

export const OUTCOMES = ['success', 'failure'] as const;

/**
 * How the pipeline went, as far as a message cares. `unknown` is a runner that did not say
 * (Woodpecker 3.0 to 3.14): the build context has already warned about it.
 */
export type Outcome = (typeof OUTCOMES)[number] | 'unknown';

/** `error` and `killed` are failures; anything the runner did not call a success or failure is unknown. */
export function outcomeOf(build: BuildContext): Outcome {
  const status = build.build.status;
  if (isFailedStatus(status)) return 'failure';
  return status === 'success' ? 'success' : 'unknown';
}

interface NotifyFilter {
  readonly on: readonly string[];
  readonly failed_steps: readonly string[];
}

/**
 * Why this build sends nothing, for PluginDefinition.skip; undefined: send. An unknown outcome
 * sends whatever `on` says: a failure nobody hears of costs more than one message too many.
 */
export function notifySkip(settings: NotifyFilter, build: BuildContext, warn: (line: string) => void): string | undefined {
  const outcome = outcomeOf(build);
  if (outcome === 'unknown') return undefined;
  if (!settings.on.includes(outcome)) return `nothing to send: the pipeline's outcome is ${outcome}, and settings.on is ${settings.on.join(', ')}`;
  if (settings.failed_steps.length === 0) return undefined;
  if (outcome === 'success') return `nothing to send: no step failed, and settings.failed_steps names ${settings.failed_steps.join(', ')}`;
  const failed = build.build.failedSteps;
  // Drone's Kubernetes runner never passes DRONE_FAILED_STEPS: not knowing is no reason to stay silent.
  if (failed.length === 0) {
    warn(`settings.failed_steps cannot filter here: the runner did not say which steps failed (Drone's Kubernetes runner never does), so every failed build sends`);
    return undefined;
  }
  if (failed.some((step) => settings.failed_steps.some((pattern) => matchesGlob(step, pattern)))) return undefined;
  return `nothing to send: the failed steps (${failed.join(', ')}) are none of settings.failed_steps (${settings.failed_steps.join(', ')})`;
}
