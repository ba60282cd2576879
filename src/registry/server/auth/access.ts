/** One resource and the actions a request needs on it ("repository:library/busybox:pull,push"). */
export interface Access { type: 'repository' | 'registry'; name: string; actions: string[] }

/** Decides whether a request with `authorization` may do `access`; throws UNAUTHORIZED or DENIED with the challenge. */
export interface Authorizer {
  authorize(authorization: string | undefined, access: Access[]): Promise<{ user?: string }>;
}

export function scopeString(access: Access[]): string {
  return access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`).join(' ');
}

/** Anyone may do anything: no auth section in the configuration. */
export const OPEN_ACCESS: Authorizer = { authorize: async () => ({}) };
