import type { Setting, Values } from '../../shared/settings/index.ts';
import { cacheTtl, localContext, registryHost, secretSpecs } from './flag-values.ts';
import { settings } from './settings.ts';

/** The settings -> executor flags step: every setting declared with a `flag` becomes that flag. */
type KanikoValues = Values<typeof settings>;

/** How a value is written when it is not the flag's plain value, one `--flag=value` each; `''` is a bare switch. */
const RENDER: { readonly [K in keyof KanikoValues]?: (value: NonNullable<KanikoValues[K]>) => readonly string[] } = {
  context: (v) => [localContext(v) === undefined ? v : `dir://${localContext(v)}`],
  build_args: pairs,
  custom_labels: pairs,
  registry_certificate: pairs,
  registry_client_cert: pairs,
  registry_mirrors: (v) => v.map(registryHost),
  skip_tls_verify_registry: (v) => v.map(registryHost),
  insecure_registry: (v) => v.map(registryHost),
  // The declaration checked both.
  cache_ttl: (v) => [cacheTtl(v)!],
  secrets: (v) => secretSpecs(v)!,
};

/** The executor flags for the settings' values, in declaration order. */
export function flagArgs(values: KanikoValues): string[] {
  const args: string[] = [];
  for (const [name, spec] of Object.entries(settings) as Array<[keyof KanikoValues, Setting<unknown>]>) {
    const flag = spec.options.flag;
    if (!flag) continue;
    for (const value of flagValues(name, spec, values[name])) args.push(value === '' ? flag : `${flag}=${value}`);
  }
  return args;
}

function flagValues(name: keyof KanikoValues, spec: Setting<unknown>, value: unknown): readonly string[] {
  if (value === undefined || value === null) return [];
  const render = RENDER[name] as ((v: unknown) => readonly string[]) | undefined;
  if (render) return render(value);
  if (spec.kind === 'bool') {
    // A switch that is on by default is only ever turned off.
    if (value === (spec.options.default ?? false)) return [];
    return value ? [''] : ['false'];
  }
  if (spec.kind === 'list') return value as readonly string[];
  return [String(value)];
}

function pairs(map: Readonly<Record<string, string>>): string[] {
  return Object.entries(map).map(([k, v]) => `${k}=${v}`);
}
