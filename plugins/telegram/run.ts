import { createHttpClient, type HttpResponse } from '../../shared/http.ts';
import { jsonField, jsonOf } from '../../shared/json-answer.ts';
import { outcomeOf } from '../../shared/notify/outcome.ts';
import { sendJson } from '../../shared/notify/send.ts';
import { sendForm } from '../../shared/notify/send-form.ts';
import { chooseTemplate, loadTemplates } from '../../shared/notify/templates.ts';
import { buildTemplateFields } from '../../shared/template/build-fields.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { escapeTexts } from './escape-texts.ts';
import { escapeValue } from './markdown.ts';
import { mediaParts, readMedia } from './media.ts';
import { formatOf, planMessages } from './message.ts';
import { placesOf } from './places.ts';
import type { settings } from './settings.ts';
import { templateVars } from './template-vars.ts';

const TEMPLATES = ['message', 'message_file', 'template_success', 'template_failure'] as const;

/** What the Bot API's descriptions mean for the person reading the step log. */
const HINTS: Array<[RegExp, string]> = [
  [/Unauthorized/, 'The bot token is not valid: check the secret behind settings.token.'],
  [/chat not found/, 'Check settings.to, and that the bot was added to the group or channel.'],
  [/bot was blocked|bot can't initiate|Forbidden/, 'The bot may not write there: the user must start a chat with the bot, or the bot must be a member (an admin in a channel).'],
  [/message thread not found/, 'settings.message_thread_id names no topic of that forum supergroup.'],
  [/can't parse entities/, 'The message is not valid for settings.format: check the template\'s markup.'],
];

/** A 429's wait is in the body, `parameters.retry_after` seconds, not in a Retry-After header. */
function retryAfterOf(res: HttpResponse): number | undefined {
  const seconds = jsonField(res.text(), 'parameters', 'retry_after');
  return typeof seconds === 'number' ? seconds * 1000 : undefined;
}

export async function run({ settings: s, build, log, signal, deadline }: PluginInput<typeof settings>): Promise<number> {
  const http = createHttpClient({ signal, deadline, log, retryAfterOf });
  // message_file names a file, never inline text.
  const sources = { ...s, message_file: s.message_file && `file://${s.message_file}` };
  const templates = await loadTemplates(sources, TEMPLATES, { workspace: build.workspace, http });
  const any = s.message_file ? 'message_file' : 'message';
  const chosen = chooseTemplate(outcomeOf(build), templates, any);
  let rendered: { name: string; text: string } | undefined;
  if (chosen) {
    // Markdown: values escaped so the conversion to MarkdownV2 keeps them text; HTML: & < > escaped,
    // the only entities Telegram knows besides &quot;.
    const html = formatOf(s.format) === 'html';
    // Escaped before the fields are made: `{{commit.author}}` renders through a toString of its own.
    const text = (value: string) => (html ? value : escapeValue(value));
    const vars = templateVars(s.template_vars, s.template_vars_file, build.workspace);
    // drone-template-lib's fields plus drone-telegram's `tpl.*`.
    const fields = { ...buildTemplateFields(escapeTexts(build, text)), tpl: escapeTexts(vars, text) };
    const { renderTemplate } = await import('../../shared/template/handlebars.ts');
    rendered = { name: chosen.name, text: renderTemplate(chosen.text, fields, { name: chosen.name, escape: html ? 'slack' : 'none' }) };
  }
  const messages = planMessages(s, build, rendered);
  const media = readMedia(s, build.workspace, (w) => log.warn(w));
  const places = placesOf(s.location, s.venue);
  const api = `${s.api_url.replace(/\/+$/, '')}/bot${s.token}`;
  const hint = (_status: number, text: string) => HINTS.find(([pattern]) => pattern.test(text))?.[1];
  for (const message of messages) {
    log.debug(`message: ${JSON.stringify(message)}`);
    // The token is in the path: sendJson never prints the URL, and the token is masked anyway.
    const res = await sendJson(http, {
      url: `${api}/sendMessage`,
      body: message,
      service: 'Telegram',
      setting: 'token',
      hint,
    });
    const id = jsonOf<{ result?: { message_id?: number } }>(res, 'Telegram').result?.message_id;
    const topic = message.message_thread_id ? ` topic ${message.message_thread_id}` : '';
    log.info(`sent the ${build.build.status} message to ${message.chat_id}${topic} (message ${id})`);
    for (const file of media) {
      await sendForm(http, { url: `${api}/${file.method}`, parts: mediaParts(file, message), service: 'Telegram', setting: 'token', what: `sending ${file.shown}`, uploadSetting: file.setting, hint });
      log.info(`sent ${file.shown} to ${message.chat_id}${topic}`);
    }
    for (const place of places) {
      const { chat_id, message_thread_id, disable_notification } = message;
      await sendJson(http, { url: `${api}/${place.method}`, body: { chat_id, message_thread_id, disable_notification, ...place.body }, service: 'Telegram', setting: 'token', hint });
      log.info(`sent the ${place.method === 'sendVenue' ? 'venue' : 'location'} ${place.body.latitude} ${place.body.longitude} to ${message.chat_id}${topic}`);
    }
  }
  if (messages.length === 0) log.info('nothing to send: no chat in settings.to matches the commit author\'s email');
  return 0;
}
