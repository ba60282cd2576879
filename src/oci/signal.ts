import { InvalidArgumentError } from '../base/index.js';

// Linux signal numbers by name, as moby/sys/signal knows them (SIG prefix optional, any case).
const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11, USR2: 12,
  PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22,
  URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
};
const SIGRTMIN = 34;
const SIGRTMAX = 64;
for (let k = 0; k <= 15; k++) SIGNALS[k ? `RTMIN+${k}` : 'RTMIN'] = SIGRTMIN + k;
for (let k = 0; k <= 14; k++) SIGNALS[k ? `RTMAX-${k}` : 'RTMAX'] = SIGRTMAX - k;

/** Docker's ParseSignal: a number, or a name with or without "SIG"; its error text. */
export function parseSignal(raw: string): number {
  if (/^[+-]?\d+$/.test(raw)) {
    const n = Number(raw);
    if (n === 0 || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`invalid signal: ${raw}`);
    return n;
  }
  const up = raw.toUpperCase();
  const n = SIGNALS[up.startsWith('SIG') ? up.slice(3) : up];
  if (n === undefined) throw new InvalidArgumentError(`invalid signal: ${raw}`);
  return n;
}
