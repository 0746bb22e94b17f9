import { setting } from '../settings/index.ts';
import { OUTCOMES } from './outcome.ts';

/**
 * The settings every notifier has, spread into its own declaration. Drone's YAML parser keeps the
 * key `on` as the string "on" (not YAML 1.1's `true`), so `on: [failure]` arrives as PLUGIN_ON.
 */
export const notifySettings = {
  on: setting.list({
    doc:
      'Outcomes that send a message: `success`, `failure` (default both). Read from the runner\'s status file, so it works under Drone\'s Kubernetes runner, where `when: status` sees the status the step started with. An unknown status (Woodpecker before 3.15) always sends.',
    default: [...OUTCOMES],
    example: '[failure]',
    validate: (values) => {
      const wrong = values.filter((v) => !(OUTCOMES as readonly string[]).includes(v));
      return wrong.length === 0 ? undefined : `expected ${OUTCOMES.join(' and/or ')}, got ${wrong.map((w) => JSON.stringify(w)).join(', ')}`;
    },
  }),
  failed_steps: setting.list({
    doc:
      'Send only when one of these steps failed (globs allowed: `deploy-*`). Drone\'s Kubernetes runner never tells a step which steps failed: there, every failed build sends, with a warning saying so.',
    example: '[deploy, test-*]',
  }),
  timeout: setting.duration({ doc: 'Time allowed for the whole step: fetching templates, every request and its retries. `0`: no limit.', default: 30_000 }),
} as const;

/**
 * `template_success` and `template_failure`, each used instead of the `general` template for its
 * outcome (chooseTemplate). `what` names the text in the docs: `Template`, `Message`, `Body template`.
 */
export function outcomeTemplates(what: string, general: string) {
  const declare = (when: string) => setting.string({ doc: `${what} used when the pipeline ${when}; falls back to \`${general}\`.`, path: 'workspace-or-text' });
  return { template_success: declare('succeeds'), template_failure: declare('fails') };
}
