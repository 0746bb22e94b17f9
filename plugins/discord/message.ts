import { type BuildContext, isFailedStatus } from '../../shared/context/index.ts';
import type { Values } from '../../shared/settings/index.ts';
import { PluginError } from '../../shared/errors.ts';
import type { TemplateText } from '../../shared/notify/templates.ts';
import { type Embed, checkLimits, cut, DISCORD_LIMITS, length } from './limits.ts';
import { FLAGS, type settings } from './settings.ts';

/** What appleboy/drone-discord shows under its default embed. */
const FOOTER = { text: 'Powered by Drone Discord Plugin', icon_url: 'https://c1.staticflickr.com/5/4236/34957940160_435d83114f_z.jpg' };

const STATUS_COLORS: Record<string, number> = { success: 0x1ac600, failure: 0xff3232, error: 0xff3232, killed: 0xff3232 };
const OTHER_COLOR = 0xffd930;

export interface DiscordPayload {
  readonly content?: string;
  readonly username?: string;
  readonly avatar_url?: string;
  readonly tts?: boolean;
  readonly embeds?: readonly Embed[];
  readonly thread_name?: string;
  readonly flags?: number;
}

export interface DiscordMessage {
  readonly payload: DiscordPayload;
  /** Query parameters of the webhook call: `wait` and `thread_id` are read there, not in the body. */
  readonly query: Readonly<Record<string, string>>;
}

/**
 * The message, decided without I/O. No template: drone-discord's default embed. A template: its text
 * as the content, or, with `color`, as the title of an embed of that colour, as drone-discord does.
 */
export function planMessage(s: Values<typeof settings>, build: BuildContext, rendered: TemplateText | undefined, threadName?: string): DiscordMessage {
  const color = s.color ? Number.parseInt(s.color.replace(/^#/, ''), 16) : (STATUS_COLORS[build.build.status] ?? OTHER_COLOR);
  const where = rendered?.name ?? 'the default message';
  let content: string | undefined;
  let embeds: Embed[] | undefined;
  if (!rendered) embeds = [defaultEmbed(build, color)];
  else if (s.color) embeds = [{ title: rendered.text, color }];
  else content = rendered.text;
  if (threadName !== undefined && length(threadName) > DISCORD_LIMITS.threadName) {
    throw new PluginError(`settings.thread_name: the post name has ${length(threadName)} characters; Discord takes at most ${DISCORD_LIMITS.threadName}`);
  }
  checkLimits({ text: content, source: where }, (embeds ?? []).map((embed) => ({ embed, source: where })), s.username);
  const flags = s.flags.reduce((sum, f) => sum | FLAGS[f as keyof typeof FLAGS], 0);
  return {
    payload: {
      content,
      username: s.username,
      avatar_url: s.avatar_url,
      tts: s.tts || undefined,
      embeds,
      thread_name: threadName,
      flags: flags || undefined,
    },
    query: { ...(s.wait ? { wait: 'true' } : {}), ...(s.thread_id ? { thread_id: s.thread_id } : {}) },
  };
}

/** drone-discord's embed, plus the failed steps, which it never showed. */
function defaultEmbed(b: BuildContext, color: number): Embed {
  const author = b.commit.author.username;
  const failed = b.build.failedSteps;
  return {
    // The commit message is the author's, not a setting: cut to fit rather than failing the step.
    title: cut(b.commit.message, DISCORD_LIMITS.title),
    description: describeEvent(b),
    url: b.build.link,
    color,
    author: { name: author, icon_url: b.commit.author.avatar || undefined },
    footer: FOOTER,
    fields: isFailedStatus(b.build.status) && failed.length > 0 ? [{ name: 'Failed steps', value: cut(failed.join(', '), DISCORD_LIMITS.fieldValue) }] : undefined,
  };
}

function describeEvent(b: BuildContext): string {
  const author = b.commit.author.username;
  switch (b.build.event) {
    case 'push':
      return `${author} pushed to ${b.commit.branch}`;
    case 'pull_request':
      return `${author} updated pull request ${b.commit.ref || b.commit.branch}`;
    case 'tag':
      return `${author} pushed tag ${b.build.tag || b.commit.branch}`;
    default:
      return `${author} ${b.build.event || 'ran'} ${b.commit.branch}`;
  }
}
