import type { BuildContext } from '../../shared/context/index.ts';
import { isFailedStatus } from '../../shared/context/index.ts';
import type { Values } from '../../shared/settings/index.ts';
import { buildTemplateFields } from '../../shared/template/build-fields.ts';
import { templateView } from '../../shared/template/context-view.ts';
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

interface TemplateText {
  readonly name: string;
  readonly text: string;
}

/** Template sources, already loaded from wherever the settings point. */
export type LoadedTemplates = Partial<Record<'template' | 'template_success' | 'template_failure' | 'fallback', TemplateText>>;

type SlackSettings = Values<typeof settings>;

/** `renderTemplate` is passed in, so a step without templates never loads Handlebars. */
export function planMessage(s: SlackSettings, build: BuildContext, templates: LoadedTemplates, renderTemplate?: Render): SlackMessage {
  const status = build.build.status;
  const context = templateView(buildTemplateFields(build)) as object;
  const render = (t: TemplateText) => {
    if (!renderTemplate) throw new Error('planMessage: templates given without a renderer');
    return renderTemplate(t.text, context, { name: t.name, escape: 'slack' });
  };
  const outcome = isFailedStatus(status) ? templates.template_failure : status === 'success' ? templates.template_success : undefined;
  const chosen = outcome ?? templates.template;

  const body = chosen ? render(chosen) : (s.message ?? defaultText(build));
  const text = withMentions(body, s.mentions);
  const fallback = templates.fallback ? render(templates.fallback) : defaultFallback(build);
  return {
    channel: s.recipient ? prefixed('@', s.recipient) : s.channel ? prefixed('#', s.channel) : undefined,
    username: s.username,
    icon_url: s.icon_url,
    icon_emoji: s.icon_emoji,
    link_names: s.link_names || undefined,
    attachments: [{ color: s.color ?? statusColor(status), text, fallback, mrkdwn_in: ['text', 'fallback'], image_url: s.image_url }],
    // The declaration checked the shape.
    blocks: s.custom_block === undefined ? undefined : (blocksOf(s.custom_block) as Record<string, unknown>[]),
  };
}

/** plugins/slack's default text, to the character. */
function defaultText(b: BuildContext): string {
  return `*${b.build.status}* <${b.build.link}|${b.repo.owner}/${b.repo.name}#${b.commit.sha.slice(0, 8)}> (${b.commit.branch}) by ${b.commit.author.username}`;
}

function defaultFallback(b: BuildContext): string {
  return `${b.build.status} ${b.repo.owner}/${b.repo.name}#${b.commit.sha.slice(0, 8)} (${b.commit.branch}) by ${b.commit.author.username}`;
}

function statusColor(status: string): string {
  if (status === 'success') return 'good';
  return isFailedStatus(status) ? 'danger' : 'warning';
}

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
