/** Stamped into the bundles by scripts/bundle.js; tsc's unbundled output runs without it. */
declare const BERTH_BUILD: { commit: string; time: string } | undefined;

/**
 * The commit berth was built from (7 hex, as docker's "build e6534b4") and that commit's time
 * (RFC 3339), which keeps builds of one commit identical.
 */
export const BUILD_INFO: { commit: string; time: string } = typeof BERTH_BUILD === 'undefined' ? { commit: 'unknown', time: '' } : BERTH_BUILD;
