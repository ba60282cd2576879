import { readFileSync } from 'node:fs';
import { BUILD_INFO } from '../base/index.js';
import type { EngineClient } from '../client/index.js';

export const BIN = 'berth';
export const CLI_VERSION = '0.1.0';
export const CLI_GIT_COMMIT = BUILD_INFO.commit;

export interface CliStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown; fd?: number };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number; fd?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface GlobalOptions {
  /** -H / DOCKER_HOST */
  host?: string;
  debug: boolean;
  configDir: string;
}

/** What a running command gets: its streams, global options and a lazily made client. */
export class Cli {
  /** "berth container ls": the path of the running command, for messages */
  commandPath = BIN;
  private clientPromise: Promise<EngineClient> | undefined;

  constructor(readonly io: CliStreams, readonly global: GlobalOptions) {}

  get out(): CliStreams['stdout'] {
    return this.io.stdout;
  }

  get err(): CliStreams['stderr'] {
    return this.io.stderr;
  }

  get in(): CliStreams['stdin'] {
    return this.io.stdin;
  }

  /** The Engine API client, imported on first use so `--help` stays fast. */
  client(): Promise<EngineClient> {
    this.clientPromise ??= import('../client/engine-client.js').then(({ EngineClient }) => new EngineClient({ host: this.global.host }));
    return this.clientPromise;
  }

  /** Write to stdout, waiting for the stream to drain if it is full. */
  async print(text: string): Promise<void> {
    if (!this.io.stdout.write(text)) await new Promise((r) => this.io.stdout.once('drain', r));
  }

  printErr(text: string): void {
    this.io.stderr.write(text);
  }

  /** Terminal size of stdout as [height, width], or [0, 0] when it is not a terminal. */
  ttySize(): [number, number] {
    const o = this.io.stdout;
    return o.isTTY ? [o.rows ?? 0, o.columns ?? 0] : [0, 0];
  }

  /** docker's detach keys from ~/.docker/config.json ("detachKeys"), if set. */
  async configDetachKeys(): Promise<string | undefined> {
    const cfg = await this.config();
    return typeof cfg.detachKeys === 'string' ? cfg.detachKeys : undefined;
  }

  private configCache: Record<string, unknown> | undefined;

  /**
   * ~/.docker/config.json (or --config), empty when missing or unreadable. Read synchronously: a
   * small file, and fs/promises would start the thread pool for this one read.
   */
  async config(): Promise<Record<string, unknown>> {
    if (this.configCache) return this.configCache;
    try {
      this.configCache = JSON.parse(readFileSync(`${this.global.configDir}/config.json`, 'utf8')) as Record<string, unknown>;
    } catch {
      this.configCache = {};
    }
    return this.configCache;
  }
}
