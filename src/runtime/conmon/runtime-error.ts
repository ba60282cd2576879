import { InternalError } from '../../base/index.js';

/**
 * A failure reported by runc or crun. `runtimeMessage` is the runtime's own text, e.g.
 * `runc create failed: unable to start container process: exec: "nosuch": executable file not found in $PATH`.
 */
export class OciRuntimeError extends InternalError {
  constructor(readonly operation: string, readonly runtimeMessage: string) {
    super(`OCI runtime ${operation} failed: ${runtimeMessage}: unknown`);
  }
}

/**
 * The message inside runc's logrus text ("time=... level=error msg=\"...\"") or crun's
 * plain stderr; several lines are joined with ": ".
 */
export function extractRuntimeMessage(stderr: string): string {
  const msgs: string[] = [];
  for (const line of stderr.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const m = /(?:^|\s)msg="((?:[^"\\]|\\.)*)"/.exec(t);
    if (m) {
      msgs.push(unquote(m[1]!));
      continue;
    }
    const json = tryJsonMsg(t);
    msgs.push(json ?? t.replace(/^(?:crun|runc): /, ''));
  }
  return msgs.join(': ');
}

function unquote(s: string): string {
  try {
    return JSON.parse(`"${s}"`) as string;
  } catch {
    return s.replace(/\\(.)/g, '$1');
  }
}

function tryJsonMsg(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(line) as { msg?: unknown };
    return typeof v.msg === 'string' ? v.msg : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The exit code Docker gives a container whose process could not be started, from the runtime's
 * message: 126 when the command cannot be invoked, 127 when it is not found, 128 otherwise.
 */
export function startFailureExitCode(message: string): 126 | 127 | 128 {
  const m = message.toLowerCase();
  if (m.includes('permission denied') || m.includes('is a directory')) return 126;
  if (m.includes('executable file not found') || m.includes('no such file or directory') ||
    m.includes('not a directory') || m.includes('system cannot find the file specified')) return 127;
  return 128;
}
