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
 * aardvark-dns 1.4 reads its directory again on every SIGHUP and exits when a file it listed is
 * gone, or half written, as it reads it (src/config/mod.rs: any read or parse error ends `serve`).
 * So berth writes a file beside the directory and renames it in (whole, at any moment), and:
 * - one SIGHUP at a time: the next is sent once aardvark has read its files since the last, which
 *   shows as a UDP socket it did not hold before the signal (it binds after reading); changes
 *   made meanwhile share it. The caller does not wait for any of this.
 * - what can break a read (removing a file, a netavark run, which writes files in place and
 *   removes them) waits until no reload is in flight or asked for, and holds off other changes.
 */
export class AardvarkConfig {
  private readonly serial = new Mutex();
  /** The reload loop while a SIGHUP is to be sent or aardvark has not read its files since the last. */
  private pump: Promise<void> | undefined;
  /** Files changed since the last SIGHUP. */
  private dirty = false;

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
    await this.serial.run(async () => {
      const text = await this.read(network);
      // before link files, berth put the aliases in the network's own file (`berth-link-<linker>-<n>` lines)
      const lines = text?.split('\n') ?? [];
      const kept = lines.filter((l) => !l.startsWith(`berth-link-${linkerId.slice(0, 12)}-`));
      let changed = kept.length !== lines.length;
      if (changed) await this.write(network, kept.join('\n'));
      const next = text === undefined || !links.length ? undefined : linkFileText(kept.join('\n'), { network, linkerId, links });
      if (next !== (await this.read(name))) {
        if (next === undefined) {
          await this.quiet();
          await rm(join(this.dir, name), { force: true });
        } else {
          if ((await this.pid()) === undefined) throw new InternalError('Cannot reload aardvark-dns: it does not run');
          await this.write(name, next);
        }
        changed = true;
      }
      if (changed) this.reload();
    });
  }

  /** Forget the network (it is being removed): its file and link files go and aardvark reloads (it exits with none left). */
  async drop(network: string): Promise<void> {
    await this.serial.run(async () => {
      const names = (await readdir(this.dir).catch(() => [] as string[])).filter((f) => f === network || isLinkFileOf(network, f));
      if (!names.length) return;
      await this.quiet();
      await Promise.all(names.map((f) => rm(join(this.dir, f), { force: true })));
      this.reload();
    });
  }

  /**
   * Run netavark (`fn`), which rewrites a network's file in place and signals or starts aardvark:
   * once aardvark has read every change before it, and with the next SIGHUP waiting for it to read this.
   */
  around<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial.run(async () => {
      await this.quiet();
      const pid = await this.pid();
      const before = pid === undefined ? new Set<string>() : await this.host.udpSockets(pid);
      try {
        return await fn();
      } finally {
        // netavark's own reload, or a new aardvark (any socket it binds shows it has read its files)
        const now = await this.pid();
        if (now !== undefined) this.track(this.loaded(now, now === pid ? before : new Set()));
      }
    });
  }

  /** Every change made so far has been read by aardvark (or it does not run). */
  async quiet(): Promise<void> {
    while (this.pump) await this.pump;
  }

  private async change(network: string, fn: (entries: string[]) => string[]): Promise<void> {
    await this.serial.run(async () => {
      const text = await this.read(network);
      if (text === undefined) throw new InternalError(`Cannot change aardvark's names for network ${network}: it has no configuration`);
      const [head, ...entries] = text.split('\n').filter((l) => l !== '');
      const next = [head, ...fn(entries)].join('\n') + '\n';
      if (next === text) return;
      if ((await this.pid()) === undefined) throw new InternalError('Cannot reload aardvark-dns: it does not run');
      await this.write(network, next);
      this.reload();
    });
  }

  /** Write a file of the directory whole: made beside it, renamed in. */
  private async write(name: string, text: string): Promise<void> {
    const tmp = join(dirname(this.dir), `.${name}.berth-tmp`);
    await writeFile(tmp, text);
    await rename(tmp, join(this.dir, name));
  }

  /** Have aardvark read its files again: a SIGHUP now, or once it has read the last one. */
  private reload(): void {
    this.dirty = true;
    if (!this.pump) this.track(Promise.resolve());
  }

  /** The reload loop, after `first` (a reload in flight): one SIGHUP at a time while files changed. */
  private track(first: Promise<void>): void {
    const pump = (async () => {
      await first;
      while (this.dirty) {
        this.dirty = false;
        const pid = await this.pid();
        if (pid === undefined) return;
        const before = await this.host.udpSockets(pid);
        try {
          this.host.signal(pid, 'SIGHUP');
        } catch {
          return;
        }
        await this.loaded(pid, before);
      }
    })().catch(() => {}).finally(() => {
      if (this.pump !== pump) return;
      this.pump = undefined;
      // a change made as the loop ended
      if (this.dirty) this.track(Promise.resolve());
    });
    this.pump = pump;
  }

  /** Wait (polling its sockets) until aardvark has bound a UDP socket not in `before`, or exited, or RELOAD_WAIT_MS passed. */
  private async loaded(pid: number, before: Set<string>): Promise<void> {
    const deadline = Date.now() + RELOAD_WAIT_MS;
    while (this.alive(pid) && Date.now() < deadline) {
      const now = await this.host.udpSockets(pid);
      if ([...now].some((s) => !before.has(s))) return;
      await new Promise((r) => setTimeout(r, 2));
    }
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
