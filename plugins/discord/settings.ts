import { notifySettings, outcomeTemplates } from '../../shared/notify/settings.ts';
import { urlSecrets } from '../../shared/secrets.ts';
import { type Rules, setting } from '../../shared/settings/index.ts';

/** Discord's message flags a webhook may set (developer docs, "Message Flags"). */
export const FLAGS = { suppress_embeds: 1 << 2, suppress_notifications: 1 << 12 } as const;

const SNOWFLAKE = /^\d{1,20}$/;

/**
 * The names of appleboy/drone-discord, with its environment fallbacks, so an existing `.drone.yml`
 * keeps working with only `image:` changed.
 */
export const settings = {
  webhook_id: setting.string({
    doc: 'Id of the webhook: the number in `https://discord.com/api/webhooks/<id>/<token>`.',
    env: ['WEBHOOK_ID', 'DISCORD_WEBHOOK_ID'],
    example: '1234567890123456789',
    validate: (v) => (SNOWFLAKE.test(v) ? undefined : 'expected the webhook id, a number such as 1234567890123456789'),
  }),
  webhook_token: setting.string({ doc: 'Token of the webhook: the last part of its URL.', secret: true, env: ['WEBHOOK_TOKEN', 'DISCORD_WEBHOOK_TOKEN'] }),
  webhook_url: setting.string({
    doc: 'The whole webhook URL, instead of `webhook_id` and `webhook_token`.',
    secret: true,
    secrets: urlSecrets,
    env: ['WEBHOOK_URL', 'DISCORD_WEBHOOK_URL'],
    example: 'https://discord.com/api/webhooks/1234567890123456789/abc...',
    validate: (v) => (/^https?:\/\/[^/]+\/.*\/webhooks\/\d+\/[^/?#]+$/.test(v) ? undefined : 'expected https://discord.com/api/webhooks/<id>/<token>'),
  }),
  api_url: setting.string({ doc: 'Base URL of the Discord API that `webhook_id` and `webhook_token` are sent to.', default: 'https://discord.com/api' }),
  message: setting.string({
    doc: 'Handlebars message: inline text, a file in the workspace, `file://` or `http(s)://` URL. None: the default embed.',
    env: ['DISCORD_MESSAGE', 'MESSAGE'],
    path: 'workspace-or-text',
  }),
  ...outcomeTemplates('Message', 'message'),
  color: setting.string({
    doc: 'Embed colour as hex (`#ff3232`); with a message, the message is sent as an embed of this colour. Default: by status.',
    env: ['COLOR'],
    example: '#1ac600',
    validate: (v) => (/^#?[0-9a-f]{6}$/i.test(v) ? undefined : 'expected a hex colour such as #1ac600'),
  }),
  username: setting.string({ doc: 'Name the message is posted as, instead of the webhook\'s.', env: ['USERNAME'] }),
  avatar_url: setting.string({
    doc: 'Avatar the message is posted with, instead of the webhook\'s.',
    env: ['AVATAR_URL'],
    example: 'https://example.com/drone.png',
    // Discord refuses the whole message for an avatar that is not a URL.
    validate: (v) => (/^https?:\/\/[^\s/]+\/?\S*$/i.test(v) ? undefined : 'expected an http(s) URL of an image'),
  }),
  tts: setting.bool({ doc: 'Send as a text-to-speech message.', env: ['TTS'] }),
  wait: setting.bool({ doc: 'Wait until Discord has stored the message and log its id.', env: ['WAIT'] }),
  thread_id: setting.string({
    doc: 'Post into this existing thread (or forum post) of the webhook\'s channel.',
    example: '1234567890123456789',
    validate: (v) => (SNOWFLAKE.test(v) ? undefined : 'expected a thread id, a number such as 1234567890123456789'),
  }),
  thread_name: setting.string({ doc: 'In a forum channel: start a new post with this name (a Handlebars template).' }),
  file: setting.list({
    doc: 'Workspace files to upload after the message, one message each (at most 10 MiB a file).',
    env: ['DISCORD_FILE', 'FILE'],
    example: '[dist/report.html]',
    path: 'workspace',
  }),
  flags: setting.list({
    doc: '`suppress_embeds` (no link previews) and/or `suppress_notifications` (a silent message).',
    example: '[suppress_notifications]',
    validate: (v) => {
      const bad = v.find((f) => !(f in FLAGS));
      return bad === undefined ? undefined : `unknown flag "${bad}": expected ${Object.keys(FLAGS).join(' or ')}`;
    },
  }),
  ...notifySettings,
} as const;

export const rules: Rules<typeof settings> = {
  together: [['webhook_id', 'webhook_token']],
  oneOf: [['webhook_url', 'webhook_id']],
  exclusive: [
    ['webhook_url', 'webhook_id'],
    ['thread_id', 'thread_name'],
    // An upload would start a forum post of its own: files go to a thread named by thread_id.
    ['file', 'thread_name'],
  ],
};
