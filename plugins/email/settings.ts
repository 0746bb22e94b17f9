import { notifySettings } from '../../shared/notify/settings.ts';
import { type Rules, setting } from '../../shared/settings/index.ts';

/** The names of plugins/email (drone-email), so only `image:` changes. */
export const settings = {
  from: setting.string({
    doc: 'Sender: an address, or `Name <address>`.',
    aliases: ['from.address'],
    example: 'drone@example.com',
    validate: (v) => (ADDRESS.test(v) ? undefined : 'expected an email address such as drone@example.com or "Drone <drone@example.com>"'),
  }),
  // `from.name` in .drone.yml arrives as PLUGIN_FROM.NAME, which is this name.
  from_name: setting.string({ doc: 'Display name of the sender (`from.name` works too).' }),
  host: setting.string({ doc: 'SMTP server.', env: ['EMAIL_HOST'], example: 'smtp.example.com' }),
  port: setting.int({
    doc: 'SMTP port; 465 is implicit TLS.',
    default: 587,
    env: ['EMAIL_PORT'],
    validate: (p) => (p > 0 && p < 65536 ? undefined : 'expected a port between 1 and 65535'),
  }),
  implicit_tls: setting.bool({ doc: 'Speak TLS from the first byte (SMTPS), as on port 465, where it is always on; otherwise STARTTLS is used.' }),
  username: setting.string({ doc: 'SMTP login.', env: ['EMAIL_USERNAME'] }),
  password: setting.string({ doc: 'SMTP password.', secret: true, env: ['EMAIL_PASSWORD'] }),
  skip_verify: setting.bool({ doc: "Do not check the SMTP server's TLS certificate." }),
  no_starttls: setting.bool({ doc: 'Send in plain text even when the server offers STARTTLS (a relay inside the cluster).' }),
  clienthostname: setting.string({ doc: 'Name the client gives in EHLO.', default: 'localhost', env: ['EMAIL_CLIENTHOSTNAME'] }),
  recipients: setting.list({ doc: 'Addresses to send to; each gets a message of its own.', env: ['EMAIL_RECIPIENTS'], example: '[team@example.com]' }),
  recipients_file: setting.string({ doc: 'Workspace file with more recipients, one address a line.', env: ['EMAIL_RECIPIENTS_FILE'], path: 'workspace' }),
  recipients_only: setting.bool({ doc: "Send only to the recipients given, not also to the commit's author." }),
  subject: setting.string({
    doc: 'Handlebars subject: inline text, a file in the workspace, `file://` or `http(s)://` URL.',
    default: '[{{ build.status }}] {{ repo.owner }}/{{ repo.name }} ({{ commit.branch }} - {{ truncate commit.sha 8 }})',
    path: 'workspace-or-text',
  }),
  body: setting.string({
    doc: 'Handlebars HTML body (inline, workspace file or URL); the plain-text part is made from it. Default: a summary of the build.',
    path: 'workspace-or-text',
  }),
  attachment: setting.string({ doc: 'Workspace file to attach.', path: 'workspace' }),
  attachments: setting.list({ doc: 'Workspace files to attach.', path: 'workspace' }),
  ...notifySettings,
} as const;

export const rules: Rules<typeof settings> = {
  oneOf: [['host'], ['from']],
  together: [['username', 'password']],
  exclusive: [['no_starttls', 'password']],
};

/** Enough to catch a name or a host given where an address belongs; the server judges the rest. */
const ADDRESS = /^[^<>@\s]+@[^<>@\s]+$|<[^<>@\s]+@[^<>@\s]+>$/;
