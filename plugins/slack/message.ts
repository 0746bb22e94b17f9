import type { BuildContext } from '../../shared/context/index.ts';
import type { Outcome } from '../../shared/notify/outcome.ts';
import { markupLine, plainLine, summaryOf } from '../../shared/notify/summary.ts';
import { type LoadedTemplates, type TemplateText, chooseTemplate, templateContext } from '../../shared/notify/templates.ts';
import type { Values } from '../../shared/settings/index.ts';
import type { Render } from '../../shared/template/handlebars.ts';
import { blocksOf, type settings } from './settings.ts';

/** The message, decided without I/O: the same structure goes to a webhook or to chat.postMessage. */
interface Attachment {
  readonly color: string;
  readonly text: string;
  readonly fallback: string;
  readonly mrkdwn_in: readonly string[];
  readonly image_url?: string;
}

export interface SlackMessage {
  readonly channel?: string;
  readonly username?: string;
  readonly icon_url?: string;
  readonly icon_emoji?: string;
  readonly link_names?: boolean;
  readonly attachments: readonly Attachment[];
  readonly blocks?: readonly Record<string, unknown>[];
}

export const TEMPLATE_SETTINGS = ['template', 'template_success', 'template_failure', 'fallback'] as const;

type Templates = LoadedTemplates<(typeof TEMPLATE_SETTINGS)[number]>;

type SlackSettings = Values<typeof settings>;

/** `renderTemplate` is passed in, so a step without templates never loads Handlebars. */
export function planMessage(s: SlackSettings, build: BuildContext, templates: Templates, renderTemplate?: Render): SlackMessage {
  const facts = summaryOf(build);
  const context = templateContext(build);
  const render = (t: TemplateText) => {
    if (!renderTemplate) throw new Error('planMessage: templates given without a renderer');
    return renderTemplate(t.text, context, { name: t.name, escape: 'slack' });
  };
  const chosen = chooseTemplate(facts.outcome, templates, 'template');

  const body = chosen ? render(chosen) : (s.message ?? markupLine(facts));
  const text = withMentions(body, s.mentions);
  const fallback = templates.fallback ? render(templates.fallback) : plainLine(facts);
  return {
    channel: s.recipient ? prefixed('@', s.recipient) : s.channel ? prefixed('#', s.channel) : undefined,
    username: s.username,
    icon_url: s.icon_url,
    icon_emoji: s.icon_emoji,
    link_names: s.link_names || undefined,
    attachments: [{ color: s.color ?? OUTCOME_COLORS[facts.outcome], text, fallback, mrkdwn_in: ['text', 'fallback'], image_url: s.image_url }],
    // The declaration checked the shape.
    blocks: s.custom_block === undefined ? undefined : (blocksOf(s.custom_block) as Record<string, unknown>[]),
  };
}

const OUTCOME_COLORS: Record<Outcome, string> = { success: 'good', failure: 'danger', unknown: 'warning' };

const SPECIAL_MENTIONS = new Set(['here', 'channel', 'everyone']);

/** `here` must be `<!here>` for Slack to notify; plugins/slack wrote `<@here>`, which does nothing. */
export function withMentions(text: string, mentions: readonly string[]): string {
  if (mentions.length === 0) return text;
  const tags = mentions.map((m) => {
    const id = m.replace(/^[@!]/, '');
    if (/^<[@!#].*>$/.test(m)) return m;
    return SPECIAL_MENTIONS.has(id) ? `<!${id}>` : `<@${id}>`;
  });
  return `${tags.join(' ')} ${text}`;
}

function prefixed(prefix: string, name: string): string {
  return name.startsWith(prefix) ? name : prefix + name;
}
