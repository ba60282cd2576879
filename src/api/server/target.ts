import { InvalidArgumentError } from '../../base/index.js';

/** A request target split the way Go's net/http reads it: the escaped path and the query. */
export interface RequestTarget {
  /** The path as sent (still percent-encoded), for routing. */
  rawPath: string;
  query: URLSearchParams;
}

const BAD_ESCAPE = /%(?![0-9a-fA-F]{2})/;

/**
 * Parse a request target without `new URL`, which throws on `//[` or `//a:99999` and would
 * treat `//host/path` as an authority. Origin-form and absolute-form are accepted; a path
 * with a malformed percent-escape is refused (dockerd answers 400 before routing).
 */
export function parseRequestTarget(raw: string): RequestTarget {
  let target = raw;
  const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?]*/.exec(target);
  if (abs) target = target.slice(abs[0].length) || '/';
  if (!target.startsWith('/')) throw new InvalidArgumentError(`invalid request target "${raw}": expected an absolute path`);
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  const bad = BAD_ESCAPE.exec(rawPath);
  if (bad) throw new InvalidArgumentError(`invalid URL escape "${rawPath.slice(bad.index, bad.index + 3)}"`);
  const badQuery = BAD_ESCAPE.exec(rawQuery);
  if (badQuery) throw new InvalidArgumentError(`invalid URL escape "${rawQuery.slice(badQuery.index, badQuery.index + 3)}"`);
  return { rawPath, query: new URLSearchParams(rawQuery) };
}

/**
 * Percent-decode one path segment. Escapes that are not UTF-8 become U+FFFD instead of
 * throwing (decodeURIComponent's URIError would surface as a 500).
 */
export function decodeSegment(s: string): string {
  if (!s.includes('%')) return s;
  if (BAD_ESCAPE.test(s)) throw new InvalidArgumentError(`invalid URL escape "${s}"`);
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // Non-ASCII sent unescaped: keep its UTF-8 bytes.
      const end = c >= 0xd800 && c < 0xdc00 ? i + 2 : i + 1;
      bytes.push(...Buffer.from(s.slice(i, end), 'utf8'));
      i = end - 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The path dockerd's router redirects to (301) when a path is not clean: `//a:b` → `/a:b`,
 * `/v1.47/../_ping` → `/_ping`; a trailing slash is kept. Undefined when the path is clean.
 */
export function cleanPathRedirect(rawPath: string): string | undefined {
  const out: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  let clean = `/${out.join('/')}`;
  if (rawPath.endsWith('/') && clean !== '/') clean += '/';
  return clean === rawPath ? undefined : clean;
}
