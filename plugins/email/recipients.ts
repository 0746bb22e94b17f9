import type { BuildContext } from '../../shared/context/index.ts';
import type { Values } from '../../shared/settings/index.ts';
import type { settings } from './settings.ts';

/** An address and where it came from, so a refused one is traced to what to fix. */
export interface Recipient {
  readonly address: string;
  readonly from: string;
}

/**
 * Everyone the message goes to, each once, in the order given: `recipients`, then the lines of
 * `recipients_file` (blank lines and `#` comments skipped), then the commit's author.
 */
export function recipientsOf(s: Values<typeof settings>, build: BuildContext, fileText: string | undefined): Recipient[] {
  const all: Recipient[] = s.recipients.map((address) => ({ address, from: 'settings.recipients' }));
  for (const [i, line] of (fileText ?? '').split('\n').entries()) {
    const address = line.trim();
    if (address !== '' && !address.startsWith('#')) all.push({ address, from: `settings.recipients_file (${s.recipients_file}:${i + 1})` });
  }
  const author = build.commit.author.email;
  if (!s.recipients_only && author) all.push({ address: author, from: "the commit's author (DRONE_COMMIT_AUTHOR_EMAIL)" });
  const seen = new Set<string>();
  return all.filter((r) => {
    const key = r.address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
