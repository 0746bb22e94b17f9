/** An RFC 7386 merge patch that turns `from` into `to`: removed keys become null, lists are replaced. */
export function mergePatchFrom(from: unknown, to: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(from) || !isMap(to)) return to;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    if (JSON.stringify(from[key]) !== JSON.stringify(value)) patch[key] = mergePatchFrom(from[key], value);
  }
  return patch;
}
