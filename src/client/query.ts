export type QueryValue = string | number | boolean | undefined | null | readonly string[];

/**
 * Build a query string as docker's client does: booleans as "1" (false and empty values
 * omitted), lists as repeated keys.
 */
export function buildQuery(q: Record<string, QueryValue> | undefined): string {
  if (!q) return '';
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === false || v === '') continue;
    if (v === true) sp.append(k, '1');
    else if (Array.isArray(v)) for (const x of v) sp.append(k, x);
    else sp.append(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

/** Compare dotted API versions ("1.41" < "1.5" is false: numeric per component). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
