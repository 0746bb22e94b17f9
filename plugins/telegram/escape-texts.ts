/**
 * A value with every text in it passed through `escapeText`, so a template's `{{commit.message}}`
 * arrives as text Telegram never reads as markup, while the template's own markup stays markup.
 */
export function escapeTexts<T>(value: T, escapeText: (text: string) => string): T {
  return mapStrings(value, escapeText) as T;
}

function mapStrings(value: unknown, escapeText: (text: string) => string): unknown {
  if (typeof value === 'string') return escapeText(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, escapeText));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, escapeText)]));
  return value;
}
