import { PluginError } from '../../shared/errors.ts';
import { createHttpClient, type HttpClient, type HttpResponse } from '../../shared/http.ts';
import { jsonField, jsonOf } from '../../shared/json-answer.ts';
import { outcomeOf } from '../../shared/notify/outcome.ts';
import { sendJson } from '../../shared/notify/send.ts';
import { chooseTemplate, loadTemplates, renderNotify } from '../../shared/notify/templates.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { defaultMessage, MAX_EVENT_BYTES, type MatrixMessage, message, roomOf, transactionId } from './message.ts';
import type { settings } from './settings.ts';

const TEMPLATES = ['template', 'template_success', 'template_failure'] as const;

/** What Matrix's error codes mean, per request, for the person reading the step log. */
const HINTS: Record<string, string> = {
  'login M_FORBIDDEN': 'The homeserver refused the login: check settings.username and the secret behind settings.password.',
  'join M_FORBIDDEN': 'The user may not join the room: invite it first (or make the room public).',
  'join M_NOT_FOUND': 'No room has that alias on the homeserver: check settings.roomid.',
  'send M_FORBIDDEN': 'The user may not post in the room: check its power level.',
  M_UNKNOWN_TOKEN: 'The access token is not valid (logged out or expired): check the secret behind settings.accesstoken.',
  M_MISSING_TOKEN: 'No access token was sent: set settings.accesstoken, or username and password.',
  M_TOO_LARGE: 'The message is too large for Matrix: shorten the template.',
};

/** A 429's wait may be in the body (`retry_after_ms`) rather than in Retry-After. */
function retryAfterOf(res: HttpResponse): number | undefined {
  const ms = jsonField(res.text(), 'retry_after_ms');
  return typeof ms === 'number' ? ms : undefined;
}

export async function run({ settings: s, build, log, signal, deadline, registerSecrets }: PluginInput<typeof settings>): Promise<number> {
  const http = createHttpClient({ signal, deadline, log, retryAfterOf });
  const content = await planContent(s, build, http);
  log.debug(`message: ${JSON.stringify(content)}`);
  const size = Buffer.byteLength(JSON.stringify(content));
  if (size > MAX_EVENT_BYTES) throw new PluginError(`the message is ${size} bytes; Matrix takes at most ${MAX_EVENT_BYTES} in an event`, { hint: 'Shorten the template, e.g. {{truncate build.message 200}}.' });

  const api = `${s.homeserver.replace(/\/+$/, '')}/_matrix/client/v3`;
  const call = async (what: string, setting: string, path: string, body: unknown, token?: string, method = 'POST') =>
    sendJson(http, {
      url: `${api}${path}`,
      method,
      body,
      service: 'Matrix',
      setting,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      hint: (_status, text) => {
        const code = String(jsonField(text, 'errcode'));
        return HINTS[`${what} ${code}`] ?? HINTS[code];
      },
    });

  let token = s.accesstoken;
  if (!token) {
    const login = { type: 'm.login.password', identifier: { type: 'm.id.user', user: s.username }, password: s.password, initial_device_display_name: 'Drone' };
    const session = jsonOf<{ access_token?: string; user_id?: string }>(await call('login', 'password', '/login', login), 'Matrix login');
    if (!session.access_token) throw new PluginError('settings.password: the homeserver\'s login answer has no access token');
    registerSecrets([session.access_token]);
    token = session.access_token;
    log.info(`logged in as ${session.user_id ?? s.username}`);
  }
  const sessionSetting = s.accesstoken ? 'accesstoken' : 'password';
  try {
    const room = roomOf(s.roomid!);
    const joined = jsonOf<{ room_id?: string }>(await call('join', 'roomid', `/join/${encodeURIComponent(room)}`, {}, token), 'Matrix join');
    const roomId = joined.room_id ?? room;
    const path = `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${transactionId(build)}`;
    const sent = jsonOf<{ event_id?: string }>(await call('send', sessionSetting, path, content, token, 'PUT'), 'Matrix send');
    log.info(`sent the ${build.build.status} message to ${room}${roomId !== room ? ` (${roomId})` : ''} (event ${sent.event_id})`);
  } finally {
    // Each password login is a new device on the account: end it rather than leave one per build.
    if (!s.accesstoken) await logout(http, api, token, log);
  }
  return 0;
}

async function planContent(s: PluginInput<typeof settings>['settings'], build: PluginInput<typeof settings>['build'], http: HttpClient): Promise<MatrixMessage> {
  const templates = await loadTemplates(s, TEMPLATES, { workspace: build.workspace, http });
  const chosen = chooseTemplate(outcomeOf(build), templates, 'template');
  if (!chosen) return defaultMessage(build);
  // The HTML is rendered from the Markdown with values HTML-escaped; the plain body shows them as written.
  const markdown = await renderNotify(chosen.text, build, { name: chosen.name, escape: 'raymond' });
  const plain = await renderNotify(chosen.text, build, { name: chosen.name, escape: 'none' });
  const { marked } = await import('marked');
  return message(plain, (marked.parse(markdown, { async: false, gfm: true, breaks: true }) as string).trim());
}

async function logout(http: HttpClient, api: string, token: string, log: PluginInput<typeof settings>['log']): Promise<void> {
  try {
    await http.request({ url: `${api}/logout`, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}', retries: 0 });
    log.debug('logged out');
  } catch (err) {
    log.debug(`logging out failed: ${(err as Error).message}`);
  }
}
