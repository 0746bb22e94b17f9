import type { Declaration, Need, Rules } from './declare.ts';

/** How the rules see the settings: which are set, and how the user spelled each one. */
interface RuleView {
  isSet(name: string): boolean;
  /** `settings.kube_token`, `SLACK_WEBHOOK`: as the user wrote it, or `settings.<name>` when unset. */
  label(name: string): string;
  /** `prune_label: app.kubernetes.io/part-of=shop`, for a setting the user has to add. */
  example(name: string): string;
}

/** Every broken rule, each said once, naming the settings as the user wrote them. */
export function ruleProblems<D extends Declaration>(rules: Rules<D>, view: RuleView): string[] {
  const problems: string[] = [];
  const anySet = (need: Need<string>) => alternatives(need).some((n) => view.isSet(n));
  const either = (need: Need<string>) => listed(alternatives(need).map(view.label), 'or');

  for (const [name, needs] of Object.entries(rules.requires ?? {}) as Array<[string, readonly Need<string>[]]>) {
    if (!view.isSet(name)) continue;
    const missing = needs.filter((n) => !anySet(n));
    if (missing.length > 0) problems.push(`${view.label(name)} needs ${missing.map(either).join(' and ')}. Example: ${view.example(alternatives(missing[0]!)[0]!)}`);
  }
  for (const group of rules.together ?? []) {
    const set = group.filter((n) => view.isSet(n));
    const unset = group.filter((n) => !view.isSet(n));
    if (set.length > 0 && unset.length > 0) {
      problems.push(`${listed(set.map(view.label))} ${set.length > 1 ? 'are' : 'is'} set but ${listed(unset.map(view.label))} ${unset.length > 1 ? 'are' : 'is'} not: set them together, or none of them.`);
    }
  }
  for (const group of rules.oneOf ?? []) {
    if (!group.some((n) => view.isSet(n))) problems.push(`set ${group.length > 1 ? 'one of ' : ''}${listed(group.map(view.label), 'or')}. Example: ${view.example(group[0]!)}`);
  }
  for (const group of rules.exclusive ?? []) {
    const set = group.filter((n) => view.isSet(n));
    if (set.length > 1) problems.push(`${listed(set.map(view.label))} exclude each other: set only one of them.`);
  }
  return problems;
}

/** The rules in words, for the README, in the order they are checked. */
export function describeRules<D extends Declaration>(decl: D, rules: Rules<D>): string[] {
  const code = (n: string) => {
    const none = decl[n]?.options.noChoice;
    return none === undefined ? `\`${n}\`` : `\`${n}\` (other than \`${JSON.stringify(none)}\`)`;
  };
  const either = (need: Need<string>) => listed(alternatives(need).map(code), 'or');
  return [
    ...(Object.entries(rules.requires ?? {}) as Array<[string, readonly Need<string>[]]>).map(([name, needs]) => `${code(name)} needs ${listed(needs.map(either))}.`),
    ...(rules.together ?? []).map((g) => `${listed(g.map(code))} are set together or not at all.`),
    ...(rules.oneOf ?? []).map((g) => `One of ${listed(g.map(code), 'or')} is required.`),
    ...(rules.exclusive ?? []).map((g) => `${listed(g.map(code))} exclude each other.`),
  ];
}

function alternatives(need: Need<string>): readonly string[] {
  return typeof need === 'string' ? [need] : need;
}

function listed(items: readonly string[], word = 'and'): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`;
}
