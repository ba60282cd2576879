import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, InternalError } from '../base/index.js';

/** One container's line in aardvark-dns's network file (netavark 1.4's format). */
export interface AardvarkEntry {
  containerId: string;
  ipv4: string[];
  ipv6: string[];
  names: string[];
  /** The container's own upstream servers (--dns). */
  dnsServers?: string[];
}

const WORD_RE = /^[A-Za-z0-9_.:-]+$/;

/**
 * aardvark-dns's configuration as netavark writes it (`<config>/aardvark-dns/<network>`: the
 * gateway line, then one line per container), for endpoints berth wires itself: add or remove a
 * container's line, then SIGHUP aardvark (its pid file) so it reloads. Only for a network whose
 * file netavark made and whose aardvark runs; the caller serializes changes with netavark's.
 */
export class AardvarkConfig {
  constructor(private readonly dir: string, private readonly signal: (pid: number, signal: NodeJS.Signals) => void) {}

  /** Whether aardvark serves this network now (netavark made its file). */
  async serves(network: string): Promise<boolean> {
    return (await this.read(network)) !== undefined && (await this.pid()) !== undefined;
  }

  async add(network: string, e: AardvarkEntry): Promise<void> {
    const words = [e.containerId, ...e.ipv4, ...e.ipv6, ...e.names, ...(e.dnsServers ?? [])];
    if (words.some((w) => !WORD_RE.test(w))) throw new InternalError(`Cannot write aardvark entry: a value has characters outside ${WORD_RE.source}`);
    const line = [e.containerId, e.ipv4.join(','), e.ipv6.join(','), e.names.join(','), ...(e.dnsServers?.length ? [e.dnsServers.join(',')] : [])].join(' ');
    await this.change(network, (lines) => [...lines.filter((l) => l.split(' ')[0] !== e.containerId), line]);
  }

  async remove(network: string, containerId: string): Promise<void> {
    await this.change(network, (lines) => lines.filter((l) => l.split(' ')[0] !== containerId));
  }

  /** Forget the network (it is being removed): its file goes and aardvark reloads (it exits with none left). */
  async drop(network: string): Promise<void> {
    if ((await this.read(network)) === undefined) return;
    await rm(join(this.dir, network), { force: true });
    const pid = await this.pid();
    if (pid !== undefined) this.signal(pid, 'SIGHUP');
  }

  private async change(network: string, fn: (entries: string[]) => string[]): Promise<void> {
    const text = await this.read(network);
    if (text === undefined) throw new InternalError(`Cannot change aardvark's names for network ${network}: it has no configuration`);
    const [head, ...entries] = text.split('\n').filter((l) => l !== '');
    const next = [head, ...fn(entries)].join('\n') + '\n';
    if (next === text) return;
    const file = join(this.dir, network);
    await writeFile(`${file}.berth-tmp`, next);
    await rename(`${file}.berth-tmp`, file);
    const pid = await this.pid();
    if (pid === undefined) throw new InternalError('Cannot reload aardvark-dns: it does not run');
    try {
      this.signal(pid, 'SIGHUP');
    } catch (e) {
      throw new InternalError(`Cannot reload aardvark-dns (pid ${pid}): ${errnoCode(e) ?? String(e)}`, { cause: e });
    }
  }

  private async read(network: string): Promise<string | undefined> {
    if (!WORD_RE.test(network)) throw new InternalError(`Invalid network name "${network}"`);
    return readFile(join(this.dir, network), 'utf8').catch((e: unknown) => {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    });
  }

  private async pid(): Promise<number | undefined> {
    const text = await readFile(join(this.dir, 'aardvark.pid'), 'utf8').catch(() => '');
    const pid = Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    try {
      this.signal(pid, 0 as unknown as NodeJS.Signals);
      return pid;
    } catch {
      return undefined;
    }
  }
}
