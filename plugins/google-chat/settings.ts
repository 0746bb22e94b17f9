import { notifySettings, outcomeTemplates } from '../../shared/notify/settings.ts';
import { urlSecrets } from '../../shared/secrets.ts';
import { type Rules, setting } from '../../shared/settings/index.ts';

const REPLY_OPTIONS = ['REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD', 'REPLY_MESSAGE_OR_FAIL'] as const;

/** josmo/drone-google-chat's names (peloton/drone-google-chat), plus templates, the card and threads. */
export const settings = {
  webhook: setting.string({
    doc: 'The space\'s incoming webhook URL as Google Chat gives it (`.../messages?key=...&token=...`), or the space\'s URL with `key` and `token`, as drone-google-chat took it.',
    secret: true,
    secrets: urlSecrets,
    env: ['GOOGLE_CHAT_WEBHOOK'],
    example: 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=XXXX&token=YYYY',
    validate: (url) => (/^https?:\/\/[^/]+\/v1\/spaces\/[^/?]+/.test(url) ? undefined : 'expected a Google Chat webhook URL, https://chat.googleapis.com/v1/spaces/<space>/messages?key=...&token=... (the value is not shown: the setting is secret)'),
  }),
  key: setting.string({ doc: 'The webhook\'s `key=`, when `webhook` does not hold it.', secret: true, env: ['GOOGLE_CHAT_KEY'] }),
  token: setting.string({ doc: 'The webhook\'s `token=`, when `webhook` does not hold it.', secret: true, env: ['GOOGLE_CHAT_TOKEN'] }),
  thread_key: setting.string({
    doc: 'Post into the thread with this key (`deploys`, or `build-${DRONE_BUILD_NUMBER}`, which Drone fills in), starting it if there is none yet.',
    aliases: ['conversation_key'],
    env: ['GOOGLE_CONVERSATION_KEY'],
    example: 'deploys',
  }),
  message_reply_option: setting.string({
    doc: 'With `thread_key`: `REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD` starts a thread when the key has none; `REPLY_MESSAGE_OR_FAIL` fails instead.',
    choices: REPLY_OPTIONS,
    default: 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD',
  }),
  template: setting.string({ doc: 'Handlebars message text (Google Chat formatting: `*bold*`, `<url|text>`): inline, a file in the workspace, `file://` or `http(s)://` URL.', path: 'workspace-or-text' }),
  ...outcomeTemplates('Template', 'template'),
  card: setting.bool({ doc: 'Add the card (header, facts, a button to the build) under the text.', default: true }),
  ...notifySettings,
} as const;

/** `key` and `token` may each be in the URL instead, as drone-google-chat's versions took them: the plan checks the URL it makes. */
export const rules: Rules<typeof settings> = {
  oneOf: [['webhook']],
};
