import { notifySettings, outcomeTemplates } from '../../shared/notify/settings.ts';
import { urlSecrets } from '../../shared/secrets.ts';
import { type Rules, setting } from '../../shared/settings/index.ts';

/** The names of plugins/slack, so an existing `.drone.yml` keeps working with only `image:` changed. */
export const settings = {
  webhook: setting.string({ doc: 'Incoming webhook URL.', secret: true, secrets: urlSecrets, env: ['SLACK_WEBHOOK'], example: 'https://hooks.slack.com/services/T000/B000/XXXX' }),
  access_token: setting.string({
    doc: 'Bot token: sends with chat.postMessage (Web API) instead of a webhook, keeping colour, username and icon.',
    secret: true,
    env: ['SLACK_ACCESS_TOKEN'],
  }),
  channel: setting.string({ doc: 'Channel to post to; `#` is prepended when missing.', example: 'deployments' }),
  recipient: setting.string({ doc: 'User to message directly; `@` is prepended; wins over `channel`.' }),
  username: setting.string({ doc: 'Name the message is posted as.' }),
  icon_url: setting.string({ doc: 'URL of the icon the message is posted with.' }),
  icon_emoji: setting.string({ doc: 'Emoji the message is posted with, e.g. `:rocket:`.' }),
  template: setting.string({ doc: 'Handlebars message: inline text, a file in the workspace, `file://` or `http(s)://` URL.', path: 'workspace-or-text' }),
  ...outcomeTemplates('Template', 'template'),
  fallback: setting.string({ doc: 'Handlebars template of the plain-text fallback (notifications).', path: 'workspace-or-text' }),
  message: setting.string({ doc: 'Plain text used when there is no template (not templated).' }),
  image_url: setting.string({ doc: 'Image shown in the attachment.' }),
  color: setting.string({ doc: 'Attachment colour (`good`, `warning`, `danger` or `#hex`); overrides the status colour.' }),
  link_names: setting.bool({ doc: 'Let Slack link `@user` and `#channel` names in the text.' }),
  mentions: setting.list({ doc: 'Users to mention: ids become `<@U123>`; `here`, `channel` and `everyone` become `<!here>` etc.' }),
  custom_block: setting.json({
    doc: 'Block Kit JSON: `{"blocks": [...]}` or a list of blocks, sent next to the attachment.',
    example: '{"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}',
    validate: blockProblem,
  }),
  thread_ts_file: setting.string({
    doc: 'With `access_token`: reply in the thread whose timestamp this workspace file holds, or write the new message\'s timestamp there.',
    path: 'workspace',
  }),
  api_url: setting.string({ doc: 'Base URL of the Slack Web API (for Slack-compatible servers).', default: 'https://slack.com/api' }),
  ...notifySettings,
} as const;

export const rules: Rules<typeof settings> = {
  requires: {
    // A webhook knows its channel; a token does not.
    access_token: [['channel', 'recipient']],
    // Webhooks do not return the timestamp a thread is replied to.
    thread_ts_file: ['access_token'],
  },
  oneOf: [['webhook', 'access_token']],
};

/** The blocks of `custom_block`: `{"blocks": [...]}` or the list itself. */
export function blocksOf(value: unknown): unknown {
  return Array.isArray(value) ? value : (value as { blocks?: unknown } | null)?.blocks;
}

/** Any block type is passed on; Slack validates the blocks themselves, we only check the shape. */
function blockProblem(value: unknown): string | undefined {
  const blocks = blocksOf(value);
  if (!Array.isArray(blocks)) return 'expected {"blocks": [...]} or a list of blocks, as Slack\'s Block Kit Builder gives them';
  const i = blocks.findIndex((b) => b === null || typeof b !== 'object' || typeof (b as { type?: unknown }).type !== 'string');
  return i < 0 ? undefined : `block ${i + 1} has no "type": every Block Kit block is an object with a "type", such as "section" or "header"`;
}
