import { notifySettings, outcomeTemplates } from '../../shared/notify/settings.ts';
import { urlSecrets } from '../../shared/secrets.ts';
import { type Rules, setting } from '../../shared/settings/index.ts';

/** jdamata/drone-teams' names (`webhook`, `status`, and its forks' `facts`), plus templates and `card`. */
export const settings = {
  webhook: setting.string({
    doc: 'The Teams Workflows webhook URL ("When a Teams webhook request is received"). A retired Office 365 connector URL (`*.webhook.office.com`) is an error.',
    secret: true,
    secrets: urlSecrets,
    example: 'https://prod-00.westus.logic.azure.com/workflows/0000/triggers/manual/paths/invoke?api-version=2016-06-01&sig=XXXX',
    validate: connectorProblem,
  }),
  status: setting.string({ doc: 'Shown instead of the pipeline\'s status, with its colour; `building` is blue, as in drone-teams. `on` still filters on the true outcome.', example: 'building' }),
  template: setting.string({ doc: 'Handlebars text under the card\'s title (Teams markdown): inline text, a file in the workspace, `file://` or `http(s)://` URL.', path: 'workspace-or-text' }),
  ...outcomeTemplates('Template', 'template'),
  card: setting.string({
    doc: 'A whole Adaptive Card (JSON, a Handlebars template whose values are JSON-escaped), sent instead of the default card: inline, a workspace file or URL. Version 1.4 at most.',
    path: 'workspace-or-text',
    example: 'teams-card.json',
  }),
  facts: setting.list({ doc: 'Extra `Title:Value` rows of the card\'s fact list.', example: '["Environment:production"]', validate: factsProblem }),
  ...notifySettings,
} as const;

export const rules: Rules<typeof settings> = {
  oneOf: [['webhook']],
  exclusive: [
    ['card', 'template'],
    ['card', 'template_success'],
    ['card', 'template_failure'],
    ['card', 'facts'],
  ],
};

/** Office 365 connectors (`https://<tenant>.webhook.office.com/webhookb2/...`, `outlook.office.com/webhook/`) stopped taking messages. */
function connectorProblem(url: string): string | undefined {
  let host: string;
  let path: string;
  try {
    ({ hostname: host, pathname: path } = new URL(url));
  } catch {
    return 'expected an https:// URL (the value is not shown: the setting is secret)';
  }
  const connector = /(^|\.)webhook\.office\.com$/i.test(host) || (/^outlook\.office(365)?\.com$/i.test(host) && /^\/webhook/i.test(path));
  if (!connector) return undefined;
  return (
    'this is an Office 365 connector URL, and Microsoft retired those connectors: they no longer deliver messages. ' +
    'In Teams, add the "Post to a channel when a webhook request is received" workflow to the channel (… > Workflows) and put the URL it gives into the secret'
  );
}

export function factOf(item: string): { title: string; value: string } {
  const colon = item.indexOf(':');
  return { title: item.slice(0, colon).trim(), value: item.slice(colon + 1).trim() };
}

function factsProblem(items: readonly string[]): string | undefined {
  const bad = items.find((item) => item.indexOf(':') <= 0);
  return bad === undefined ? undefined : `expected Title:Value, ${JSON.stringify(bad)} has no title before a ":"`;
}
