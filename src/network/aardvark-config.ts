import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errnoCode, InternalError, Mutex } from '../base/index.js';
import { isLinkFileOf, linkFileName, linkFileText, type DnsLinkTarget } from './dns-links.js';

/** One container's line in aardvark-dns's network file (netavark 1.4's format). */
export interface AardvarkEntry {
  containerId: string;
  ipv4: string[];
  ipv6: string[];
  names: string[];
  /** The container's own upstream servers (--dns). */
  dnsServers?: string[];
}

/** What AardvarkConfig needs of the host: signals, and the UDP sockets a process holds (their inodes). */
export interface AardvarkHost {
  signal(pid: number, signal: NodeJS.Signals): void;
  udpSockets(pid: number): Promise<Set<string>>;
}

const WORD_RE = /^[A-Za-z0-9_.:-]+$/;

/** How long a change waits for aardvark to finish reading the previous one before it goes ahead anyway. */
const RELOAD_WAIT_MS = 3000;

/**
 * aardvark-dns's configuration as netavark writes it (`<config>/aardvark-dns/<network>`: the
 * gateway line, then one line per container), for endpoints berth wires itself: add or remove a
 * container's line, then SIGHUP aardvark (its pid file) so it reloads. Only for a network whose
 * file netavark made and whose aardvark runs.
 *
 * aardvark-dns 1.4 exits when a file it listed is gone or half written as it reads it
 * (src/config/mod.rs: any read or parse error ends `serve`), and it reads the directory again on
 * every SIGHUP. So one change at a time, daemon-wide, netavark's runs included (`around`), and a
 * change starts only once aardvark has read the previous one: it has bound a UDP socket it did not
 * hold before the signal (it binds after reading). Files are written beside the directory and
 * renamed in, never half written where aardvark reads.
 */
export class AardvarkConfig {
  private readonly serial = new Mutex();
  /** The last reload asked for, not yet seen done: aardvark's pid and its UDP sockets before the signal. */
  private pending: { pid: number; before: Set<string> } | undefined;

  constructor(private readonly dir: string, private readonly host: AardvarkHost) {}

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

  /**
   * Scope a linker's `--link` aliases on the network to it (dns-links.ts): its link file is made
   * again from the network's file, or removed when no alias has a target (or the linker no line).
   */
  async setLinks(network: string, linkerId: string, links: readonly DnsLinkTarget[]): Promise<void> {
    const name = linkFileName(network, linkerId);
    await this.exclusive(async () => {
      const text = await this.read(network);
      // before link files, berth put the aliases in the network's own file (`berth-link-<linker>-<n>` lines)
      const lines = text?.split('\n') ?? [];
      const kept = lines.filter((l) => !l.startsWith(`berth-link-${linkerId.slice(0, 12)}-`));
      let changed = kept.length !== lines.length;
      if (changed) await this.write(network, kept.join('\n'));
      const next = text === undefined || !links.length ? undefined : linkFileText(kept.join('\n'), { network, linkerId, links });
      if (next !== (await this.read(name))) {
        if (next === undefined) await rm(join(this.dir, name), { force: true });
        else await this.write(name, next);
        changed = true;
      }
      if (changed) await this.reload({ required: next !== undefined });
    });
  }

  /** Forget the network (it is being removed): its file and link files go and aardvark reloads (it exits with none left). */
  async drop(network: string): Promise<void> {
    await this.exclusive(async () => {
      const names = (await readdir(this.dir).catch(() => [] as string[])).filter((f) => f === network || isLinkFileOf(network, f));
      if (!names.length) return;
      await Promise.all(names.map((f) => rm(join(this.dir, f), { force: true })));
      await this.reload({ required: false });
    });
  }

  /**
   * Run netavark (`fn`), which rewrites a network's file and signals or starts aardvark, as one
   * change: after aardvark has read the previous one, and with the next waiting for it to read this.
   */
  around<T>(fn: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const pid = await this.pid();
      const before = pid === undefined ? new Set<string>() : await this.host.udpSockets(pid);
      try {
        return await fn();
      } finally {
        const now = await this.pid();
        // a new aardvark (netavark started it): any socket it binds shows it has read its files
        if (now !== undefined) this.pending = { pid: now, before: now === pid ? before : new Set() };
      }
    });
  }

  private async change(network: string, fn: (entries: string[]) => string[]): Promise<void> {
    await this.exclusive(async () => {
      const text = await this.read(network);
      if (text === undefined) throw new InternalError(`Cannot change aardvark's names for network ${network}: it has no configuration`);
      const [head, ...entries] = text.split('\n').filter((l) => l !== '');
      const next = [head, ...fn(entries)].join('\n') + '\n';
      if (next === text) return;
      await this.write(network, next);
      await this.reload({ required: true });
    });
  }

  /** One change at a time, started once aardvark has read the previous one. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial.run(async () => {
      await this.settled();
      return fn();
    });
  }

  /** Wait (polling its sockets) until aardvark has read its files since the last signal, or exited. */
  private async settled(): Promise<void> {
    const p = this.pending;
    if (!p) return;
    const deadline = Date.now() + RELOAD_WAIT_MS;
    for (;;) {
      if (!this.alive(p.pid)) break;
      const now = await this.host.udpSockets(p.pid);
      if ([...now].some((s) => !p.before.has(s)) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    this.pending = undefined;
  }

  /** Write a file of the directory whole: made beside it, renamed in. */
  private async write(name: string, text: string): Promise<void> {
    const tmp = join(dirname(this.dir), `.${name}.berth-tmp`);
    await writeFile(tmp, text);
    await rename(tmp, join(this.dir, name));
  }

  /** SIGHUP aardvark so it reads its files again; `required`: that it does not run is an error. */
  private async reload(opts: { required: boolean }): Promise<void> {
    const pid = await this.pid();
    if (pid === undefined) {
      if (opts.required) throw new InternalError('Cannot reload aardvark-dns: it does not run');
      return;
    }
    const before = await this.host.udpSockets(pid);
    try {
      this.host.signal(pid, 'SIGHUP');
    } catch (e) {
      if (opts.required) throw new InternalError(`Cannot reload aardvark-dns (pid ${pid}): ${errnoCode(e) ?? String(e)}`, { cause: e });
      return;
    }
    this.pending = { pid, before };
  }

  private async read(network: string): Promise<string | undefined> {
    if (!WORD_RE.test(network)) throw new InternalError(`Invalid network name "${network}"`);
    return readFile(join(this.dir, network), 'utf8').catch((e: unknown) => {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    });
  }

  private alive(pid: number): boolean {
    try {
      this.host.signal(pid, 0 as unknown as NodeJS.Signals);
      return true;
    } catch {
      return false;
    }
  }

  private async pid(): Promise<number | undefined> {
    const text = await readFile(join(this.dir, 'aardvark.pid'), 'utf8').catch(() => '');
    const pid = Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    return this.alive(pid) ? pid : undefined;
  }
}
