import { createLogger, isEngineError, isLogLevel } from '../../base/index.js';
import { loadConfig } from './config.js';
import { garbageCollect } from './garbage-collect.js';
import { RegistryStorage } from './registry-storage.js';
import { createRegistryServer } from './server.js';

const USAGE = `Usage:  berth registry COMMAND

Commands:
  serve [config.yml]                                   Serve the OCI distribution API
  garbage-collect [--dry-run] [--delete-untagged] config.yml   Delete blobs no manifest names
`;

/**
 * The registry program: `serve [config.yml]` and `garbage-collect [-d|--dry-run]
 * [-m|--delete-untagged] config.yml`, configured as the reference registry is. Returns the exit code.
 */
export async function registryMain(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'serve') return await serve(rest, io);
    if (cmd === 'garbage-collect') return await gc(rest, io);
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
      io.stdout.write(USAGE);
      return 0;
    }
    io.stderr.write(`berth registry: unknown command "${cmd}"\n\n${USAGE}`);
    return 1;
  } catch (e) {
    io.stderr.write(`berth registry: ${isEngineError(e) ? e.message : (e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

async function serve(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const positional = args.filter((a) => !a.startsWith('-'));
  if (args.some((a) => a === '--help' || a === '-h')) {
    io.stdout.write('Usage:  berth registry serve [config.yml]\n\nServe the OCI distribution API as configured (REGISTRY_* variables override the file)\n');
    return 0;
  }
  if (positional.length > 1) throw new Error(`"serve" takes at most one configuration file, got ${positional.length}`);
  const config = await loadConfig({ ...(positional[0] !== undefined ? { path: positional[0] } : process.env['REGISTRY_CONFIGURATION_PATH'] ? { path: process.env['REGISTRY_CONFIGURATION_PATH'] } : {}) });
  const level = isLogLevel(config.log.level) ? config.log.level : 'info';
  const log = createLogger(level, { service: 'registry' }, io.stderr);
  const reg = await createRegistryServer(config, log);
  const addr = await reg.listen();
  log.info(`listening on ${addr}`, { tls: config.http.tls !== undefined, rootdirectory: config.storage.rootDirectory });
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void reg.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

async function gc(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  let dryRun = false;
  let deleteUntagged = false;
  const positional: string[] = [];
  for (const a of args) {
    if (a === '-d' || a === '--dry-run') dryRun = true;
    else if (a === '-m' || a === '--delete-untagged') deleteUntagged = true;
    else if (a === '-h' || a === '--help') {
      io.stdout.write('Usage:  berth registry garbage-collect [OPTIONS] config.yml\n\nDelete blobs no manifest names\n\nOptions:\n  -d, --dry-run           Do everything except remove the blobs\n  -m, --delete-untagged   Delete manifests that are not currently referenced via tag\n');
      return 0;
    } else if (a.startsWith('-')) throw new Error(`unknown flag: ${a}`);
    else positional.push(a);
  }
  if (positional.length !== 1) throw new Error('"garbage-collect" requires exactly one configuration file');
  const config = await loadConfig({ path: positional[0]! });
  const storage = new RegistryStorage(config.storage);
  await garbageCollect(storage, { dryRun, deleteUntagged, out: (l) => io.stdout.write(`${l}\n`) });
  return 0;
}
