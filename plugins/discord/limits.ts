import { PluginError } from '../../shared/errors.ts';

/**
 * Discord's documented message limits (developer docs, "Embed Limits" and "Execute Webhook"),
 * checked before sending so the step names the setting that is too long instead of quoting
 * Discord's `Invalid Form Body`.
 */
export const DISCORD_LIMITS = {
  content: 2000,
  username: 80,
  threadName: 100,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** Title, description, field names and values, footer and author of every embed together. */
  total: 6000,
} as const;

export interface Embed {
  readonly title?: string;
  readonly description?: string;
  readonly url?: string;
  readonly color?: number;
  readonly author?: { readonly name: string; readonly icon_url?: string };
  readonly footer?: { readonly text: string; readonly icon_url?: string };
  readonly fields?: readonly { readonly name: string; readonly value: string; readonly inline?: boolean }[];
}

/** Discord counts characters as Unicode code points. */
export function length(text: string | undefined): number {
  let n = 0;
  for (const _ of text ?? '') n++;
  return n;
}

/** Cuts text the plugin writes itself (a commit message as the default title) to a limit. */
export function cut(text: string, max: number): string {
  if (length(text) <= max) return text;
  return `${[...text].slice(0, max - 1).join('')}\u2026`;
}

/** Where a piece of the message came from, for the error: `settings.message`, or the commit message. */
export type Source = string;

export function checkLimits(content: { text: string | undefined; source: Source }, embeds: readonly { embed: Embed; source: Source }[], username: string | undefined): void {
  const problems: string[] = [];
  const over = (source: Source, what: string, n: number, max: number) => problems.push(`${source}: ${what} has ${n} characters; Discord takes at most ${max}`);
  const contentLength = length(content.text);
  if (contentLength > DISCORD_LIMITS.content) over(content.source, 'the message content', contentLength, DISCORD_LIMITS.content);
  const userLength = length(username);
  if (userLength > DISCORD_LIMITS.username) over('settings.username', 'the username', userLength, DISCORD_LIMITS.username);
  if (embeds.length > DISCORD_LIMITS.embeds) problems.push(`${embeds[0]?.source}: ${embeds.length} embeds; Discord takes at most ${DISCORD_LIMITS.embeds} in one message`);
  let total = 0;
  for (const { embed, source } of embeds) {
    const check = (what: string, text: string | undefined, max: number) => {
      const n = length(text);
      total += n;
      if (n > max) over(source, what, n, max);
    };
    check('the embed title', embed.title, DISCORD_LIMITS.title);
    check('the embed description', embed.description, DISCORD_LIMITS.description);
    check('the embed author name', embed.author?.name, DISCORD_LIMITS.author);
    check('the embed footer', embed.footer?.text, DISCORD_LIMITS.footer);
    const fields = embed.fields ?? [];
    if (fields.length > DISCORD_LIMITS.fields) problems.push(`${source}: ${fields.length} embed fields; Discord takes at most ${DISCORD_LIMITS.fields}`);
    fields.forEach((f, i) => {
      check(`embed field ${i + 1}'s name`, f.name, DISCORD_LIMITS.fieldName);
      check(`embed field ${i + 1}'s value`, f.value, DISCORD_LIMITS.fieldValue);
    });
  }
  if (total > DISCORD_LIMITS.total) problems.push(`${embeds[0]?.source}: the embeds have ${total} characters in all; Discord takes at most ${DISCORD_LIMITS.total}`);
  if (problems.length > 0) {
    throw new PluginError(problems.join('; '), { hint: 'Shorten the template, e.g. {{truncate build.message 200}}, or split it across steps.' });
  }
}
