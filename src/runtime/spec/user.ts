import { InvalidArgumentError } from '../../base/index.js';
import { readFileInRoot } from '../../host/index.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups listing the user by name (not the primary gid). */
  additionalGids: number[];
  home: string;
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

const MAX_ID = 2 ** 31 - 1;
const RANGE_ERROR = `uids and gids must be in range 0-${MAX_ID}`;
// Big enough for any real /etc/group; a rootfs is untrusted input.
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Resolve a Docker --user value ("name", "uid", "name:group", "uid:gid", "") against the rootfs's
 * /etc/passwd and /etc/group, with the semantics and error texts of runc's user package (as Docker).
 * The files are resolved and opened inside the rootfs in one step (readFileInRoot): symlinks, even
 * ones a running container swaps in, cannot point them at host files.
 */
export async function resolveUser(rootfs: string, spec: string): Promise<ResolvedUser> {
  const [passwd, group] = await Promise.all([readRootfsFile(rootfs, '/etc/passwd'), readRootfsFile(rootfs, '/etc/group')]);
  const colon = spec.indexOf(':');
  const userArg = colon < 0 ? spec : spec.slice(0, colon);
  const groupArg = colon < 0 ? '' : spec.slice(colon + 1).split(':')[0]!;
  const uidArg = parseNumeric(userArg);
  const gidArg = parseNumeric(groupArg);

  const user: ResolvedUser = { uid: 0, gid: 0, additionalGids: [], home: '/' };
  const users = passwd === undefined ? [] : parsePasswd(passwd).filter((u) =>
    userArg === '' ? u.uid === 0 : uidArg !== undefined ? u.uid === uidArg : u.name === userArg);
  let matchedName = '';
  if (users.length > 0) {
    const u = users[0]!;
    matchedName = u.name;
    Object.assign(user, { uid: u.uid, gid: u.gid, home: u.home || '/' });
  } else if (userArg !== '') {
    if (uidArg === undefined) throw new InvalidArgumentError(`unable to find user ${userArg}: no matching entries in passwd file`);
    user.uid = uidArg;
  }

  if (groupArg !== '' || matchedName !== '') {
    const groups = group === undefined ? [] : parseGroup(group).filter((g) =>
      groupArg === '' ? g.members.includes(matchedName) : gidArg !== undefined ? g.gid === gidArg : g.name === groupArg);
    if (groupArg !== '') {
      if (groups.length > 0) user.gid = groups[0]!.gid;
      else if (gidArg === undefined) throw new InvalidArgumentError(`unable to find group ${groupArg}: no matching entries in group file`);
      else user.gid = gidArg;
    } else {
      user.additionalGids = groups.map((g) => g.gid);
    }
  }
  return user;
}

/** A non-negative decimal id, undefined for a name; out-of-range ids are refused as runc does. */
function parseNumeric(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  if (n < 0 || n > MAX_ID) throw new InvalidArgumentError(RANGE_ERROR);
  return n;
}

// Go's Atoi-or-zero, as runc parses numeric passwd/group fields.
function atoi(s: string | undefined): number {
  return s !== undefined && /^[+-]?\d+$/.test(s) ? Number(s) : 0;
}

function parsePasswd(text: string): PasswdEntry[] {
  return lines(text).map((l) => {
    const f = l.split(':');
    return { name: f[0] ?? '', uid: atoi(f[2]), gid: atoi(f[3]), home: f[5] ?? '' };
  });
}

function parseGroup(text: string): GroupEntry[] {
  return lines(text).filter((l) => !l.startsWith('#')).map((l) => {
    const f = l.split(':');
    return { name: f[0] ?? '', gid: atoi(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) };
  });
}

function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
}

/** A file's text from inside the rootfs, or undefined when it is absent or not a regular file. */
async function readRootfsFile(rootfs: string, path: string): Promise<string | undefined> {
  return (await readFileInRoot(rootfs, path, { maxBytes: MAX_FILE_BYTES }))?.toString('utf8');
}
