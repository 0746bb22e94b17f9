import type { Declaration } from './declare.ts';

/**
 * Drone turns `settings: {icon.url: x}` into `PLUGIN_ICON.URL`; Woodpecker turns `-` and `.` into
 * `_`. Comparing names in this one normal form accepts both.
 */
export function envNameOf(settingName: string): string {
  return 'PLUGIN_' + normalize(settingName);
}

/** Whether the environment variable `name` is one a declaration reads (a setting, an alias, a plain `env:` name). */
export function declaresEnv(decl: Declaration, name: string): boolean {
  const normal = normalizeEnvName(name);
  return Object.entries(decl).some(
    ([setting, spec]) => [setting, ...(spec.options.aliases ?? [])].some((n) => envNameOf(n) === normal) || (spec.options.env ?? []).includes(name),
  );
}

export function normalizeEnvName(name: string): string {
  return name.startsWith('PLUGIN_') ? 'PLUGIN_' + normalize(name.slice(7)) : name;
}

function normalize(name: string): string {
  return name.toUpperCase().replace(/[-.]/g, '_');
}

/** The spelling a user writes in `.drone.yml`, for an env name we could not place. */
export function settingNameOf(envName: string): string {
  return envName.slice('PLUGIN_'.length).toLowerCase();
}

export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Close enough to be a typo of `candidate` rather than another word: one edit, or two in a name of
 * 9 or more characters; a swap of neighbours is one edit. Names under 4 characters are too short
 * to tell.
 */
export function isMisspelling(name: string, candidate: string): boolean {
  if (name.length < 4 || name === candidate) return false;
  return editDistance(name, candidate) <= (name.length >= 9 ? 2 : 1);
}

/** Levenshtein distance where swapping two neighbours counts as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j]!, before[j - 2]! + 1);
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length]!;
}
