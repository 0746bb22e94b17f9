import { isAbsolute, join } from 'node:path';
import { createHttpClient } from '../../shared/http.ts';
import { loadTemplates } from '../../shared/notify/templates.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { TEMPLATE_SETTINGS, planMessage } from './message.ts';
import { sendWebhook, sendWithToken } from './send.ts';
import type { settings } from './settings.ts';
import { readThreadTs, writeThreadTs } from './thread-file.ts';

export async function run({ settings: s, build, log, signal, deadline }: PluginInput<typeof settings>): Promise<number> {
  const http = createHttpClient({ signal, deadline, log });
  const templates = await loadTemplates(s, TEMPLATE_SETTINGS, { workspace: build.workspace, http });
  const renderer = Object.keys(templates).length > 0 ? (await import('../../shared/template/handlebars.ts')).renderTemplate : undefined;
  const message = planMessage(s, build, templates, renderer);
  log.debug(`message: ${JSON.stringify(message)}`);

  const where = message.channel ?? "the webhook's channel";
  if (!s.access_token) {
    await sendWebhook(s.webhook!, message, http);
    log.info(`sent the ${build.build.status} message to ${where}`);
    return 0;
  }
  const threadFile = s.thread_ts_file && (isAbsolute(s.thread_ts_file) ? s.thread_ts_file : join(build.workspace, s.thread_ts_file));
  const threadTs = threadFile ? readThreadTs(threadFile) : undefined;
  const posted = await sendWithToken(s.access_token, s.api_url, message, http, threadTs);
  log.info(`sent the ${build.build.status} message to ${where}${threadTs ? ` in thread ${threadTs}` : ''} (ts ${posted.ts})`);
  if (threadFile && !threadTs) {
    writeThreadTs(threadFile, posted);
    log.info(`wrote the thread timestamp to ${s.thread_ts_file}`);
  }
  return 0;
}
