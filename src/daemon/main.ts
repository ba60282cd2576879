import { createLogger, type Logger } from '../base/index.js';
import { loadConfig, USAGE, type DaemonConfig } from './config.js';
import { startDaemon } from './daemon.js';
import { BERTH_VERSION } from './system-info.js';

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = await loadConfig(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`berthd: ${e instanceof Error ? e.message : String(e)}\nSee 'berthd --help'.\n`);
    process.exit(125);
  }
  if (parsed.kind === 'help') { process.stdout.write(USAGE); return; }
  if (parsed.kind === 'version') { process.stdout.write(`berthd version ${BERTH_VERSION}\n`); return; }
  const cfg = parsed.config;
  if (!process.env.PATH?.includes('/usr/sbin')) process.env.PATH = `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;
  const log = createLogger(cfg.logLevel);
  if (cfg.cleanup) {
    process.exitCode = await cleanup(cfg, log);
    return;
  }
  let daemon;
  try {
    daemon = await startDaemon(cfg, log);
  } catch (e) {
    log.error('failed to start daemon', { error: e instanceof Error ? e.message : String(e) });
    process.stderr.write(`failed to start daemon: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal: sig });
    daemon.shutdown().then(() => process.exit(0), (e: unknown) => {
      log.error('shutdown failed', { error: String(e) });
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGPIPE', () => {});
}

/** `berthd --cleanup`: recover as a start would, remove what this daemon installed on the host, exit. */
async function cleanup(cfg: DaemonConfig, log: Logger): Promise<number> {
  try {
    const daemon = await startDaemon({ ...cfg, hosts: [] }, log);
    try {
      const { removed, kept } = await daemon.teardown();
      for (const b of removed) process.stdout.write(`removed bridge ${b} and its firewall rules\n`);
      for (const b of kept) process.stdout.write(`left bridge ${b}: it existed before berthd used it\n`);
    } finally {
      await daemon.shutdown();
    }
    return 0;
  } catch (e) {
    process.stderr.write(`berthd --cleanup: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

void main();
