import { InvalidArgumentError } from '../base/index.js';
import { parseSeccompProfile, type SpecInput } from '../runtime/index.js';

/** What --security-opt asks of the runtime; labels and AppArmor profiles are accepted and have no effect here. */
export interface SecurityOptions {
  seccomp: SpecInput['seccomp'];
  noNewPrivileges: boolean;
}

/** dockerd's name for the built-in profile in `seccomp=builtin`. */
const SECCOMP_BUILTIN = 'builtin';
const SECCOMP_UNCONFINED = 'unconfined';

/**
 * HostConfig.SecurityOpt read as dockerd's parseSecurityOpt reads it: "key=value" (or the old
 * "key:value"), bare "no-new-privileges" and "disable"; other keys are refused with its wording.
 * A seccomp value other than builtin/unconfined is the profile's JSON, sent by the client;
 * decodeProfile: false only checks the keys (at create: dockerd decodes the profile at start).
 */
export function parseSecurityOpts(opts: readonly string[] | null | undefined, o: { decodeProfile: boolean }): SecurityOptions {
  const out: SecurityOptions = { seccomp: 'default', noNewPrivileges: false };
  for (const opt of opts ?? []) {
    if (opt === 'no-new-privileges') { out.noNewPrivileges = true; continue; }
    if (opt === 'disable') continue;
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : '';
    if (!sep) throw new InvalidArgumentError(`invalid --security-opt 1: ${goQuote(opt)}`);
    const at = opt.indexOf(sep);
    const key = opt.slice(0, at);
    const value = opt.slice(at + 1);
    switch (key) {
      case 'label':
      case 'apparmor':
        break;
      case 'seccomp':
        if (value === SECCOMP_UNCONFINED) out.seccomp = 'unconfined';
        else if (value === SECCOMP_BUILTIN || value === '') out.seccomp = 'default';
        else out.seccomp = o.decodeProfile ? { profile: parseSeccompProfile(value) } : 'default';
        break;
      case 'no-new-privileges': {
        const b = parseGoBool(value);
        if (b === undefined) throw new InvalidArgumentError(`invalid --security-opt 2: ${goQuote(opt)}`);
        out.noNewPrivileges = b;
        break;
      }
      default:
        throw new InvalidArgumentError(`invalid --security-opt 2: ${goQuote(opt)}`);
    }
  }
  return out;
}

/** Go's strconv.ParseBool. */
function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** Go's %q for the printable strings these options are. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}
