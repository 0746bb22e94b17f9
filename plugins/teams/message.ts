import type { BuildContext } from '../../shared/context/index.ts';
import { PluginError } from '../../shared/errors.ts';
import { parseJsonText } from '../../shared/json-text.ts';
import { formatBytes } from '../../shared/limits.ts';
import { summaryOf } from '../../shared/notify/summary.ts';
import type { TemplateText } from '../../shared/notify/templates.ts';
import { excerpt } from '../../shared/secrets.ts';
import type { Values } from '../../shared/settings/index.ts';
import { factOf, type settings } from './settings.ts';

export const TEMPLATE_SETTINGS = ['template', 'template_success', 'template_failure', 'card'] as const;

/** Teams drops a message over 28 KB; a Workflow accepts it first (202) and fails later, unseen. */
export const MAX_MESSAGE_BYTES = 28 * 1024;
/** Teams renders Adaptive Cards up to this version; a newer card shows as "unsupported". */
const MAX_CARD_VERSION = [1, 4] as const;

type TeamsSettings = Values<typeof settings>;

/** What the templates rendered, with the setting each came from (named when the result is wrong). */
export interface Rendered {
  readonly text?: { readonly setting: string; readonly text: string };
  readonly card?: TemplateText;
}

export interface TeamsMessage {
  readonly type: 'message';
  readonly attachments: readonly [{ readonly contentType: 'application/vnd.microsoft.card.adaptive'; readonly contentUrl: null; readonly content: Record<string, unknown> }];
}

/** The colours Teams names (its hex colours are ignored); `building` is drone-teams' blue. */
const COLORS: Record<string, string> = { success: 'good', failure: 'attention', error: 'attention', killed: 'attention', building: 'accent' };

export function planMessage(s: TeamsSettings, build: BuildContext, rendered: Rendered): TeamsMessage {
  const card = rendered.card ? ownCard(rendered.card) : defaultCard(s, build, rendered.text?.text);
  const message: TeamsMessage = {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
  const bytes = Buffer.byteLength(JSON.stringify(message));
  if (bytes > MAX_MESSAGE_BYTES) {
    const source = rendered.card ? 'settings.card' : rendered.text ? `settings.${rendered.text.setting}` : 'settings.facts';
    throw new PluginError(`the message is ${formatBytes(bytes)}, more than the ${formatBytes(MAX_MESSAGE_BYTES)} Teams takes: shorten what ${source} gives`, {
      hint: 'Teams would accept the request and then drop the message without a word.',
    });
  }
  return message;
}

function defaultCard(s: TeamsSettings, build: BuildContext, text: string | undefined): Record<string, unknown> {
  const f = summaryOf(build);
  const status = s.status ?? f.status;
  const facts = [
    { title: 'Branch', value: f.tag || f.branch },
    { title: 'Commit', value: f.sha },
    { title: 'Author', value: f.author },
    ...(f.failedSteps.length > 0 ? [{ title: 'Failed steps', value: f.failedSteps.join(', ') }] : []),
    ...s.facts.map(factOf),
  ].filter((fact) => fact.value !== '');
  const actions = [
    ...(f.link ? [{ type: 'Action.OpenUrl', title: 'Open build', url: f.link }] : []),
    ...(f.commitLink ? [{ type: 'Action.OpenUrl', title: 'Open commit', url: f.commitLink }] : []),
  ];
  return withTeamsDefaults({
    type: 'AdaptiveCard',
    body: [
      { type: 'TextBlock', text: `${f.repo} #${f.number}: ${status}`, weight: 'Bolder', size: 'Medium', color: COLORS[status] ?? 'warning', wrap: true },
      // A TextBlock needs text: a commit with no message gets none.
      ...((text ?? f.title) ? [{ type: 'TextBlock', text: text ?? f.title, wrap: true }] : []),
      { type: 'FactSet', facts },
    ],
    ...(actions.length > 0 ? { actions } : {}),
  });
}

/** `settings.card`, rendered: an Adaptive Card Teams can show, or an error naming where it came from. */
function ownCard(source: { name: string; text: string }): Record<string, unknown> {
  const where = source.name.startsWith('settings.') ? source.name : `settings.card (${source.name})`;
  let card: unknown;
  try {
    card = parseJsonText(source.text);
  } catch (err) {
    throw new PluginError(`${where}: the rendered card is not JSON: ${excerpt((err as Error).message, 120)}`, {
      hint: 'Values are JSON-escaped where {{...}} puts them; {{{...}}} puts them in as they are.',
    });
  }
  if (card === null || typeof card !== 'object' || Array.isArray(card) || (card as { type?: unknown }).type !== 'AdaptiveCard') {
    throw new PluginError(`${where}: expected an Adaptive Card, an object with "type": "AdaptiveCard"`, { hint: 'Design one at https://adaptivecards.microsoft.com/designer and paste its card JSON.' });
  }
  const version = (card as { version?: unknown }).version;
  if (version !== undefined && !versionAtMost(version)) {
    throw new PluginError(`${where}: card version ${JSON.stringify(version)}: Teams shows Adaptive Cards up to version ${MAX_CARD_VERSION.join('.')}`, { hint: 'Set "version": "1.4" and leave out what newer versions added.' });
  }
  return withTeamsDefaults(card as Record<string, unknown>);
}

function versionAtMost(version: unknown): boolean {
  const m = typeof version === 'string' ? /^(\d+)\.(\d+)$/.exec(version) : null;
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major < MAX_CARD_VERSION[0] || (major === MAX_CARD_VERSION[0] && minor <= MAX_CARD_VERSION[1]);
}

/** Full width (Teams otherwise squeezes a card into a narrow bubble) and the highest version Teams shows, unless the card says otherwise. */
function withTeamsDefaults(card: Record<string, unknown>): Record<string, unknown> {
  const msteams = (card.msteams ?? {}) as Record<string, unknown>;
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: MAX_CARD_VERSION.join('.'),
    ...card,
    msteams: { width: 'Full', ...msteams },
  };
}
