import { createLogger } from '../base/index.js';
import { loadConfig, USAGE } from './config.js';
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

void main();
