import { InvalidArgumentError } from '../base/index.js';

/**
 * A normalized image reference, as Docker's distribution/reference package models
 * it: `domain/path[:tag][@digest]`, e.g. docker.io/library/busybox:latest.
 */
export interface Reference {
  readonly domain: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const NAME_TOTAL_LENGTH_MAX = 255;

// The grammar of distribution/reference, translated from RE2.
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|\\[(?:[a-fA-F0-9:]+)\\])`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;
const REFERENCE_RE = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const ANCHORED_NAME_RE = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const TAG_RE = new RegExp(`^${tagPat}$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const SHA256_DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/** Docker's `Parse`: the strict grammar, no normalization. */
function parseStrict(s: string): Reference {
  const m = REFERENCE_RE.exec(s);
  if (!m) {
    if (s === '') throw new InvalidArgumentError('repository name must have at least one component');
    if (REFERENCE_RE.test(s.toLowerCase())) throw new InvalidArgumentError('repository name must be lowercase');
    throw new InvalidArgumentError('invalid reference format');
  }
  const nm = ANCHORED_NAME_RE.exec(m[1]!);
  const domain = nm?.[1] ?? '';
  const path = nm ? nm[2]! : m[1]!;
  if (path.length > NAME_TOTAL_LENGTH_MAX) {
    throw new InvalidArgumentError(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const digest = m[3];
  if (digest !== undefined && digest.startsWith('sha256:') && !SHA256_DIGEST_RE.test(digest)) {
    throw new InvalidArgumentError('invalid checksum digest format');
  }
  return { domain, path, ...(m[2] ? { tag: m[2] } : {}), ...(digest ? { digest } : {}) };
}

function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  let domain: string;
  let remainder: string;
  if (slash < 0) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + name };
  const maybeDomain = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    domain = DEFAULT_DOMAIN;
    remainder = rest;
  } else if (maybeDomain === 'localhost' || /[.:]/.test(maybeDomain)) {
    // An uppercase first component without "." or ":" is a namespace, not a registry, as
    // dockerd 20.10 reads it: "UPPER/x" is refused as an uppercase repository name.
    // (distribution/reference 0.6 takes it for a domain and would tag a registry named "UPPER".)
    domain = maybeDomain;
    remainder = rest;
  } else {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Docker's ParseNormalizedNamed: "busybox" → docker.io/library/busybox (no tag added).
 * Errors carry Docker's texts ("invalid reference format", "... must be lowercase").
 */
export function parseNormalizedNamed(s: string): Reference {
  if (IDENTIFIER_RE.test(s)) {
    throw new InvalidArgumentError(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(s);
  const tagSep = remainder.indexOf(':');
  const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw new InvalidArgumentError(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  return parseStrict(`${domain}/${remainder}`);
}

/** Parse and normalize, adding the default tag when neither tag nor digest is given. */
export function parseReference(s: string): Reference {
  return tagNameOnly(parseNormalizedNamed(s));
}

export type AnyReference = { kind: 'digest'; digest: string } | { kind: 'named'; ref: Reference };

/** Docker's ParseAnyReference: a bare 64-hex ID or `sha256:...` is a digest, anything else a name. */
export function parseAnyReference(s: string): AnyReference {
  if (IDENTIFIER_RE.test(s)) return { kind: 'digest', digest: `sha256:${s}` };
  if (SHA256_DIGEST_RE.test(s)) return { kind: 'digest', digest: s };
  return { kind: 'named', ref: parseNormalizedNamed(s) };
}

export function isNameOnly(ref: Reference): boolean {
  return ref.tag === undefined && ref.digest === undefined;
}

export function tagNameOnly(ref: Reference): Reference {
  return isNameOnly(ref) ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/** Validate a tag on its own (`docker tag` and the API's `tag` parameter). */
export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** `docker.io/library/busybox` */
export function referenceName(ref: Reference): string {
  return ref.domain ? `${ref.domain}/${ref.path}` : ref.path;
}

/** `docker.io/library/busybox:latest`, the canonical string. */
export function referenceString(ref: Reference): string {
  return referenceName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** The short name users type: `busybox`, `user/app`, `quay.io/x/y`. */
export function familiarName(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return referenceName(ref);
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = ref.path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

/** `busybox:latest`, `busybox@sha256:...` — what Docker prints. */
export function familiarString(ref: Reference): string {
  return familiarName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

const REMOTE_NAME_RE = new RegExp(`^${remoteName}$`);

/** A repository path as a registry names it ("library/busybox"): no domain, no tag, lowercase, at most 255 characters. */
export function isRepositoryPath(s: string): boolean {
  return s.length <= NAME_TOTAL_LENGTH_MAX && REMOTE_NAME_RE.test(s);
}
