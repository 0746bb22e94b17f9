import { notifySettings, outcomeTemplates } from '../../shared/notify/settings.ts';
import { type Rules, setting } from '../../shared/settings/index.ts';

/** A room id (`!abc:example.org`), an alias (`#builds:example.org`), or an id without its `!`. */
const ROOM = /^[!#]?[^\s:]+:[^\s]+$/;

/** The names of drone-plugins/drone-matrix, with its environment fallbacks. */
export const settings = {
  homeserver: setting.string({ doc: 'Base URL of the homeserver.', default: 'https://matrix.org', env: ['MATRIX_HOMESERVER'] }),
  roomid: setting.string({
    doc: 'Room to post to: its id (`!abc:example.org`; the `!` may be left out) or an alias (`#builds:example.org`). The bot joins it first.',
    env: ['MATRIX_ROOMID'],
    example: '!abcdefghijklmnop:example.org',
    validate: (v) => (ROOM.test(v) ? undefined : 'expected a room id such as !abcdef:example.org or an alias such as #builds:example.org'),
  }),
  username: setting.string({ doc: 'User to log in as, with `password`.', env: ['MATRIX_USERNAME'] }),
  password: setting.string({ doc: 'Password of `username`; the session is logged out after sending.', secret: true, env: ['MATRIX_PASSWORD'] }),
  userid: setting.string({ doc: 'User id of `accesstoken` (`@drone:example.org`); not needed: the token names its user.', aliases: ['user_id'], env: ['MATRIX_USERID', 'MATRIX_USER_ID'] }),
  accesstoken: setting.string({ doc: 'Access token; when set, `username` and `password` are not used.', secret: true, aliases: ['access_token'], env: ['MATRIX_ACCESSTOKEN', 'MATRIX_ACCESS_TOKEN'] }),
  template: setting.string({
    doc: 'Handlebars message in Markdown, sent as HTML with a plain-text body: inline text, a file in the workspace, `file://` or `http(s)://` URL.',
    env: ['MATRIX_TEMPLATE'],
    path: 'workspace-or-text',
  }),
  ...outcomeTemplates('Template', 'template'),
  ...notifySettings,
} as const;

export const rules: Rules<typeof settings> = {
  requires: { password: ['username'], username: ['password'] },
  oneOf: [['roomid'], ['accesstoken', 'password']],
};
