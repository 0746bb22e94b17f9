import { createHttpClient } from '../../shared/http.ts';
import { jsonOf } from '../../shared/json-answer.ts';
import { outcomeOf } from '../../shared/notify/outcome.ts';
import { sendJson } from '../../shared/notify/send.ts';
import { chooseTemplate, loadTemplates, renderChosen } from '../../shared/notify/templates.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { TEMPLATE_SETTINGS, planMessage } from './message.ts';
import type { settings } from './settings.ts';

export async function run({ settings: s, build, log, signal, deadline }: PluginInput<typeof settings>): Promise<number> {
  const http = createHttpClient({ signal, deadline, log });
  const loaded = await loadTemplates(s, TEMPLATE_SETTINGS, { workspace: build.workspace, http });
  const chosen = chooseTemplate(outcomeOf(build), loaded, 'template');
  const text = await renderChosen(chosen, build, 'none');
  const { url, message } = planMessage(s, build, text);
  log.debug(`message: ${JSON.stringify(message)}`);
  const res = await sendJson(http, { url, body: message, service: 'Google Chat', setting: 'webhook', hint: chatHint });
  const posted = jsonOf<{ thread?: { name?: string } }>(res, 'Google Chat (settings.webhook)');
  log.info(`sent the ${build.build.status} message to Google Chat${s.thread_key && posted.thread?.name ? ` in thread ${posted.thread.name}` : ''}`);
  return 0;
}

/** Google's error statuses, in words. */
function chatHint(status: number, text: string): string | undefined {
  if (status === 401 || status === 403 || /UNAUTHENTICATED|PERMISSION_DENIED/.test(text)) return 'Google Chat refused the key or token: copy the webhook URL from the space\'s Apps & integrations > Webhooks again into the secret.';
  if (status === 404) return 'The space or the webhook no longer exists: create a new webhook and update the secret behind settings.webhook.';
  if (/REPLY_MESSAGE_OR_FAIL|thread/i.test(text)) return 'No thread has settings.thread_key yet: use message_reply_option: REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD to start one.';
  if (status === 429) return 'Google Chat takes one message per second per space: space the notifications out.';
  return undefined;
}
