import { createHttpClient } from '../../shared/http.ts';
import { outcomeOf } from '../../shared/notify/outcome.ts';
import { sendJson } from '../../shared/notify/send.ts';
import { chooseTemplate, loadTemplates, renderChosen } from '../../shared/notify/templates.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { type Rendered, TEMPLATE_SETTINGS, planMessage } from './message.ts';
import type { settings } from './settings.ts';

export async function run({ settings: s, build, log, signal, deadline }: PluginInput<typeof settings>): Promise<number> {
  const http = createHttpClient({ signal, deadline, log });
  const loaded = await loadTemplates(s, TEMPLATE_SETTINGS, { workspace: build.workspace, http });
  const chosen = chooseTemplate(outcomeOf(build), loaded, 'template');
  const rendered: Rendered = {
    text: await renderChosen(chosen, build, 'none'),
    card: await renderChosen(loaded.card, build, 'json'),
  };
  const message = planMessage(s, build, rendered);
  log.debug(`message: ${JSON.stringify(message)}`);
  await sendJson(http, { url: s.webhook!, body: message, service: 'Microsoft Teams', setting: 'webhook', hint: teamsHint });
  // A Workflow answers 202 once it has the request; posting to the channel happens after.
  log.info(`sent the ${s.status ?? build.build.status} card to the Teams workflow; it posts to the channel as its run goes`);
  return 0;
}

/** Power Automate's error codes, in words. */
function teamsHint(status: number, text: string): string | undefined {
  if (/DirectApi(InvalidAuthorizationSignature|AuthorizationRequired)/.test(text)) return 'The workflow refused the signature (sig=) of the URL: copy the URL from the workflow again into the secret behind settings.webhook.';
  if (/WorkflowNotFound|WorkflowTriggerNotFound/.test(text) || status === 404) return 'The workflow was deleted or turned off: create it again in Teams and update the secret behind settings.webhook.';
  if (/WorkflowRequestsThrottled/.test(text) || status === 429) return 'The workflow is being throttled: send fewer messages, or try again later.';
  return undefined;
}
