/**
 * What some settings' values mean to the executor, shared by the declaration's checks (settings.ts)
 * and the flags built from them (argv.ts). Pure.
 */

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The directory of a context in the workspace; undefined for a remote one (`git://`, `s3://` ...). */
export function localContext(context: string): string | undefined {
  if (context.startsWith('dir://')) return context.slice('dir://'.length);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(context) ? undefined : context;
}

/** A registry name without the scheme the executor does not take. */
export function registryHost(value: string): string {
  return value.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/** A Go duration for `--cache-ttl`: a bare number is hours, as plugins/kaniko reads it; undefined when it is neither. */
export function cacheTtl(value: string): string | undefined {
  if (/^\d+$/.test(value)) return `${value}h`;
  return GO_DURATION.test(value) ? value : undefined;
}

/**
 * The `--secret` specs of `secrets`. Drone joins a YAML list with commas, which splits
 * `id=x,env=Y` in two: an item that does not start a secret (`src=`, `env=`, `type=`) belongs to
 * the one before it. Undefined when an item is none of these.
 */
export function secretSpecs(items: readonly string[]): string[] | undefined {
  const specs: string[][] = [];
  for (const item of items) {
    if (ENV_NAME.test(item)) specs.push([`id=${item}`, `env=${item}`]);
    else if (item.startsWith('id=')) specs.push([item]);
    else if (/^(src|env|type)=/.test(item) && specs.length > 0) specs.at(-1)!.push(item);
    else return undefined;
  }
  return specs.map((s) => s.join(','));
}

/** The environment variables whose values the `--secret` specs hand to the build. */
export function secretEnvNames(specs: readonly string[]): string[] {
  return specs.flatMap((spec) => spec.split(',').filter((f) => f.startsWith('env=')).map((f) => f.slice(4)));
}
