import { createHttpClient } from '../../shared/http.ts';
import { jsonField, jsonOf } from '../../shared/json-answer.ts';
import { outcomeOf } from '../../shared/notify/outcome.ts';
import { sendJson } from '../../shared/notify/send.ts';
import { sendForm } from '../../shared/notify/send-form.ts';
import { chooseTemplate, loadTemplates, renderChosen, renderNotify } from '../../shared/notify/templates.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { planMessage } from './message.ts';
import type { settings } from './settings.ts';
import { readUploads, uploadParts } from './upload.ts';

const TEMPLATES = ['message', 'template_success', 'template_failure'] as const;

/** What Discord's error codes mean for the person reading the step log. */
const HINTS: Record<number, string> = {
  10015: 'The webhook was deleted: create a new one and update webhook_id and webhook_token.',
  50027: 'The webhook token is wrong: check the secret behind settings.webhook_token (or settings.webhook_url).',
  10003: 'settings.thread_id names no thread of the webhook\'s channel.',
  220001: 'The webhook posts into a forum channel: set settings.thread_name (a new post) or settings.thread_id.',
  220003: 'settings.thread_name only works for a webhook of a forum channel: use settings.thread_id for a thread.',
  50035: 'Discord refused a field of the message: see its errors above.',
};

export async function run({ settings: s, build, log, signal, deadline }: PluginInput<typeof settings>): Promise<number> {
  const http = createHttpClient({ signal, deadline, log });
  const templates = await loadTemplates(s, TEMPLATES, { workspace: build.workspace, http });
  const chosen = chooseTemplate(outcomeOf(build), templates, 'message');
  // Discord shows text as written: HTML escapes would appear as `&amp;`.
  const rendered = await renderChosen(chosen, build, 'none');
  const threadName = s.thread_name && (await renderNotify(s.thread_name, build, { name: 'settings.thread_name', escape: 'none' }));
  const message = planMessage(s, build, rendered, threadName);
  log.debug(`message: ${JSON.stringify(message.payload)}`);
  const uploads = readUploads(s.file, build.workspace);

  const base = s.webhook_url ?? `${s.api_url.replace(/\/+$/, '')}/webhooks/${s.webhook_id}/${s.webhook_token}`;
  const query = new URLSearchParams(message.query).toString();
  const url = query ? `${base}?${query}` : base;
  const setting = s.webhook_url ? 'webhook_url' : 'webhook_token';
  const res = await sendJson(http, {
    url,
    body: message.payload,
    service: 'Discord',
    setting,
    hint: (_status, text) => HINTS[Number(jsonField(text, 'code'))],
  });
  const where = s.thread_id ? ` in thread ${s.thread_id}` : s.thread_name ? ` as the forum post "${threadName}"` : '';
  const id = s.wait ? ` (message ${jsonOf<{ id?: string }>(res, 'Discord').id})` : '';
  log.info(`sent the ${build.build.status} message to Discord${where}${id}`);
  const { username, avatar_url, tts, flags } = message.payload;
  for (const upload of uploads) {
    const parts = uploadParts({ username, avatar_url, tts, flags }, upload);
    await sendForm(http, { url, parts, service: 'Discord', setting, what: `uploading ${upload.shown}`, uploadSetting: 'file', hint: (_status, text) => HINTS[Number(jsonField(text, 'code'))] });
    log.info(`uploaded ${upload.shown} to Discord${where}`);
  }
  return 0;
}

