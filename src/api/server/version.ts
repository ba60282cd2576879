/** API versions as "1.47": compare numerically by part. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const PREFIX_RE = /^\/v(\d+\.\d+)(\/.*)$/;

/** Split "/v1.45/containers/json" into its version and path; unversioned paths get `undefined`. */
export function splitVersion(path: string): { version: string | undefined; path: string } {
  const m = PREFIX_RE.exec(path);
  return m ? { version: m[1], path: m[2]! } : { version: undefined, path };
}
