import { ConflictError, InternalError, InvalidArgumentError } from '../base/index.js';
import { exec } from '../host/index.js';
import type { ContainerCore } from './core.js';

export interface TopResult { titles: string[]; processes: string[][] }

/** dockerd refuses ps options that would name another column PID (`-o user=PID`). */
export function validatePsArgs(psArgs: string): void {
  for (const m of psArgs.matchAll(/\s+([^\s]*)=\s*(PID[^\s]*)/g)) {
    if (m[1] !== 'pid') throw new InvalidArgumentError(`specifying "${m[1]}=${m[2]}" is not allowed`);
  }
}

/** Fields split on ASCII whitespace only, as dockerd's fieldsASCII. */
function fields(line: string): string[] {
  return line.split(/[ \t\n\v\f\r]+/).filter((f) => f !== '');
}

/**
 * ps's table reduced to the container's processes, as dockerd's parsePSOutput: the PID column
 * found in the header, surplus fields joined into the last column (a command with spaces).
 */
export function parsePsOutput(output: string, pids: ReadonlySet<number>): TopResult {
  const lines = output.split('\n');
  const titles = fields(lines[0] ?? '');
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw new InternalError("Couldn't find PID field in ps output");
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const f = fields(line);
    const raw = f[pidIndex] ?? '';
    const pid = Number(raw);
    if (!/^-?\d+$/.test(raw)) throw new InternalError(`Unexpected pid '${raw}': strconv.Atoi: parsing "${raw}": invalid syntax`);
    if (!pids.has(pid)) continue;
    if (f.length > titles.length) {
      const head = f.slice(0, titles.length - 1);
      head.push(f.slice(titles.length - 1).join(' '));
      processes.push(head);
    } else {
      processes.push(f);
    }
  }
  return { titles, processes };
}

/**
 * GET /containers/{id}/top: the host's `ps` with the client's options, limited to the container's
 * processes; `-q <pids>` first, and without it for options that refuse it (`f`), as dockerd.
 */
export async function topContainer(core: ContainerCore, ref: string, psArgs: string): Promise<TopResult> {
  const rec = core.d.store.get(ref);
  if (rec.state.status === 'restarting') throw new ConflictError(`Container ${rec.id} is restarting, wait until the container is running`);
  if (rec.state.status !== 'running' && rec.state.status !== 'paused') throw new ConflictError(`Container ${rec.id} is not running`);
  const args = (psArgs || '-ef').split(' ');
  validatePsArgs(psArgs || '-ef');
  const pids = new Set((await core.d.runtime.processes(rec.id)).map((p) => p.pid));
  let res = await exec('ps', [...args, '-q', [...pids].join(',')], { allowFailure: true });
  if (res.code !== 0) res = await exec('ps', args, { allowFailure: true });
  if (res.code !== 0) throw new InternalError(`ps: ${res.stderr.split('\n')[0] || `exit status ${res.code}`}`);
  const result = parsePsOutput(res.stdout, pids);
  core.event(rec, 'top');
  return result;
}
