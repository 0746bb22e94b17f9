import { notifySettings, outcomeTemplates } from '../../shared/notify/settings.ts';
import { type Rules, setting } from '../../shared/settings/index.ts';
import { placeProblem } from './places.ts';

/** A chat: a user or group id (supergroups and channels keep their -100 prefix) or a public @username. */
export const CHAT = /^(-?\d{1,20}|@[A-Za-z]\w{3,31})$/;

/** The names of appleboy/drone-telegram, with its environment fallbacks. */
export const settings = {
  token: setting.string({ doc: 'Bot token from @BotFather.', secret: true, env: ['TELEGRAM_TOKEN'], example: '123456789:AAE...' }),
  to: setting.list({
    doc: 'Chats to send to: ids (`-100...` for supergroups and channels) or `@channel`; `id:email` sends only when the commit author has that email.',
    env: ['TELEGRAM_TO'],
    example: '[-1001234567890, 12345678]',
    validate: (list) => {
      const bad = list.find((to) => !CHAT.test(to.split(':')[0]!.trim()));
      return bad === undefined ? undefined : `"${bad}" is not a chat id: expected a number such as -1001234567890, or @channelname`;
    },
  }),
  message: setting.string({
    doc: 'Handlebars message in Telegram Markdown (or HTML with `format: html`): inline text, a file in the workspace, `file://` or `http(s)://` URL.',
    env: ['TELEGRAM_MESSAGE'],
    path: 'workspace-or-text',
  }),
  message_file: setting.string({ doc: 'Workspace file holding the message template.', env: ['TELEGRAM_MESSAGE_FILE'], path: 'workspace' }),
  template_vars: setting.json({
    doc: 'Extra template values, a JSON object: `{"env": "prod"}` is `{{tpl.env}}`.',
    env: ['TELEGRAM_TEMPLATE_VARS'],
    example: '{"env": "prod"}',
    validate: varsProblem,
  }),
  template_vars_file: setting.string({ doc: 'Workspace file holding more template values as a JSON object; they win over `template_vars`.', env: ['TELEGRAM_TEMPLATE_VARS_FILE'], path: 'workspace' }),
  ...outcomeTemplates('Message', 'message'),
  format: setting.string({
    doc: '`markdown` (Telegram Markdown, sent as MarkdownV2 with everything escaped that must be) or `html`.',
    default: 'markdown',
    validate: (v) => (/^(markdown|html)$/i.test(v) ? undefined : 'expected markdown or html'),
  }),
  disable_notification: setting.bool({ doc: 'Send silently: a notification without sound.' }),
  disable_web_page_preview: setting.bool({ doc: 'No link preview under the message.' }),
  message_thread_id: setting.int({ doc: 'Forum topic (message thread) of a supergroup to post into.' }),
  only_match_email: setting.bool({ doc: 'With `id:email` entries in `to`: send only to the chats whose email is the commit author\'s.' }),
  photo: setting.list({ doc: 'Workspace files (globs) sent as photos after the message, to every chat (10 MiB each at most).', env: ['PHOTO'], path: 'workspace-glob' }),
  document: setting.list({ doc: 'Workspace files (globs) sent as documents after the message (50 MiB each at most).', env: ['DOCUMENT'], path: 'workspace-glob' }),
  sticker: setting.list({ doc: 'Workspace files (globs) sent as stickers (.webp, .tgs, .webm).', env: ['STICKER'], path: 'workspace-glob' }),
  audio: setting.list({ doc: 'Workspace files (globs) sent as audio, titled "Audio Message".', env: ['AUDIO'], path: 'workspace-glob' }),
  voice: setting.list({ doc: 'Workspace files (globs) sent as voice messages (.ogg with Opus).', env: ['VOICE'], path: 'workspace-glob' }),
  video: setting.list({ doc: 'Workspace files (globs) sent as video, captioned "Video Message".', env: ['VIDEO'], path: 'workspace-glob' }),
  location: setting.list({
    doc: 'Locations sent after the message: "latitude longitude".',
    env: ['LOCATION'],
    example: '["25.0339 121.5645"]',
    validate: (list) => list.map((l) => placeProblem(l, false)).find(Boolean),
  }),
  venue: setting.list({
    doc: 'Venues sent after the message: "latitude longitude title address".',
    env: ['VENUE'],
    example: '["25.0339 121.5645 Taipei101 Xinyi Road"]',
    validate: (list) => list.map((v) => placeProblem(v, true)).find(Boolean),
  }),
  api_url: setting.string({ doc: 'Base URL of the Bot API (a local Bot API server).', default: 'https://api.telegram.org' }),
  ...notifySettings,
} as const;

export const rules: Rules<typeof settings> = {
  requires: { only_match_email: ['to'] },
  oneOf: [['token'], ['to']],
  exclusive: [['message', 'message_file']],
};

/** drone-telegram's template values: a JSON object of strings (numbers and booleans are read as text). */
export function varsProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object such as {"env": "prod"}';
  const bad = Object.entries(value).find(([, v]) => v !== null && typeof v === 'object');
  return bad ? `"${bad[0]}" holds ${Array.isArray(bad[1]) ? 'a list' : 'an object'}: expected text` : undefined;
}
