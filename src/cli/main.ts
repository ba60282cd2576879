import { homedir } from 'node:os';
import { checkArgs } from './args.js';
import { BIN, Cli, CLI_GIT_COMMIT, CLI_VERSION } from './cli.js';
import type { CliStreams } from './cli.js';
import type { CommandSpec } from './command.js';
import { COMMANDS, findCommand } from './commands/registry.js';
import { CommandElsewhere, StatusError } from './errors.js';
import { FlagError, FlagSet, HelpRequested } from './flags/index.js';
import type { Flag } from './flags/index.js';
import { groupHelp, hideUnsupportedFlags, leafHelp, rootHelp, useLine } from './help.js';
import type { ServerFeatures } from './help.js';

/** The global options, before the command (also listed for the launcher's routing, scripts/bundle.js). */
export function globalFlags(fs: FlagSet) {
  // $HOME first, as docker's homedir.Get(): node's os module is not loaded for the lookup
  const cfgDir = process.env.DOCKER_CONFIG || `${process.env.HOME || homedir()}/.docker`;
  return {
    config: fs.string('config', '', cfgDir, 'Location of client config files'),
    context: fs.string('context', 'c', '', 'Name of the context to use to connect to the daemon (overrides DOCKER_HOST env var and default context set with "berth context use")'),
    debug: fs.bool('debug', 'D', false, 'Enable debug mode'),
    host: fs.list('host', 'H', 'Daemon socket to connect to'),
    logLevel: fs.string('log-level', 'l', 'info', 'Set the logging level ("debug", "info", "warn", "error", "fatal")'),
    tls: fs.bool('tls', '', false, 'Use TLS; implied by --tlsverify'),
    tlscacert: fs.string('tlscacert', '', `${cfgDir}/ca.pem`, 'Trust certs signed only by this CA'),
    tlscert: fs.string('tlscert', '', `${cfgDir}/cert.pem`, 'Path to TLS certificate file'),
    tlskey: fs.string('tlskey', '', `${cfgDir}/key.pem`, 'Path to TLS key file'),
    tlsverify: fs.bool('tlsverify', '', process.env.DOCKER_TLS_VERIFY !== undefined && process.env.DOCKER_TLS_VERIFY !== '', 'Use TLS and verify the remote'),
    version: fs.bool('version', 'v', false, 'Print version information and quit'),
  };
}

/** What the daemon supports, for help; as docker, assume everything when it cannot be reached. */
async function serverFeatures(cli: Cli): Promise<ServerFeatures> {
  const { CLIENT_API_VERSION } = await import('../client/engine-client.js');
  try {
    const client = await cli.client();
    await client.supports('1.0');
    const ping = client.lastPing ?? (await client.ping());
    return { apiVersion: client.apiVersion, experimental: ping.experimental, osType: ping.osType };
  } catch {
    return { apiVersion: CLIENT_API_VERSION, experimental: true, osType: '' };
  }
}

async function runLeaf(cli: Cli, spec: CommandSpec, path: string, parentPath: string, argv: string[]): Promise<void> {
  const mod = await spec.load!();
  const fs = new FlagSet();
  fs.interspersed = spec.interspersed ?? true;
  // pflag's deprecation notes go to the command's output, which is stdout.
  fs.warn = (m) => cli.out.write(m);
  const opts = mod.flags(fs);
  const hasH = fs.sorted().some((f) => f.short === 'h');
  // run and create declare a visible --help themselves; elsewhere it is hidden, -h deprecated.
  let help = fs.lookup('help') as Flag<boolean> | undefined;
  if (!help) {
    help = fs.bool('help', hasH ? '' : 'h', false, 'Print usage');
    help.hidden = true;
    if (!hasH) help.shorthandDeprecated = 'use --help';
  }
  const usage = useLine(path, spec);
  let args: string[];
  try {
    ({ args } = fs.parse(argv));
  } catch (e) {
    if (e instanceof HelpRequested) help.value.set('true');
    else if (e instanceof FlagError) throw new StatusError(125, `${e.message}\n\nUsage:  ${usage}\n\nRun '${path} --help' for more information`);
    else throw e;
    args = [];
  }
  if (help.get) {
    hideUnsupportedFlags(fs, await serverFeatures(cli));
    await cli.print(leafHelp(path, parentPath, spec, fs));
    return;
  }
  const argErr = checkArgs(spec.args, args, path, usage);
  if (argErr) throw new StatusError(1, argErr);
  cli.commandPath = path;
  await mod.run(cli, opts, args);
}

/** Run the CLI with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: string[], io: CliStreams = process as unknown as CliStreams): Promise<number> {
  const gfs = new FlagSet();
  gfs.interspersed = false;
  const g = globalFlags(gfs);
  const ghelp = gfs.bool('help', 'h', false, 'Print usage');
  ghelp.hidden = true;
  let args: string[];
  const cli = new Cli(io, { debug: false, configDir: '' });
  try {
    try {
      ({ args } = gfs.parse(argv));
    } catch (e) {
      if (!(e instanceof HelpRequested)) {
        if (e instanceof FlagError) throw new StatusError(125, `${e.message}\n\nUsage:  ${BIN} [OPTIONS] COMMAND [ARG...]\n\nRun '${BIN} --help' for more information`);
        throw e;
      }
      ghelp.value.set('true');
      args = [];
    }
    const hosts = g.host.get;
    if (hosts.length > 1) throw new StatusError(1, `Failed to initialize: unable to resolve ${BIN} endpoint: Specify only one -H`);
    Object.assign(cli.global, { host: hosts[0] ?? process.env.DOCKER_HOST, debug: g.debug.get, configDir: g.config.get });
    if (g.version.get) {
      await cli.print(`${BIN} version ${CLI_VERSION}, build ${CLI_GIT_COMMIT}\n`);
      return 0;
    }
    if (ghelp.get) {
      await cli.print(rootHelp(COMMANDS, gfs));
      return 0;
    }
    if (args.length === 0) {
      cli.printErr(rootHelp(COMMANDS, gfs));
      return 0;
    }
    let name = args[0]!;
    let rest = args.slice(1);
    if (name === 'help') {
      if (rest.length === 0) {
        await cli.print(rootHelp(COMMANDS, gfs));
        return 0;
      }
      name = rest[0]!;
      rest = [...rest.slice(1), '--help'];
    }
    const spec = findCommand(COMMANDS, name);
    if (!spec) throw new StatusError(1, `${BIN}: unknown command: ${BIN} ${name}\n\nRun '${BIN} --help' for more information`);
    const path = `${BIN} ${spec.name}`;
    if (!spec.children) {
      await runLeaf(cli, spec, path, BIN, rest);
      return 0;
    }
    const sub = rest[0];
    if (sub === undefined || sub === '--help' || sub === '-h') {
      if (sub === undefined) cli.printErr(groupHelp(path, spec));
      else await cli.print(groupHelp(path, spec));
      return 0;
    }
    const leaf = sub.startsWith('-') ? undefined : findCommand(spec.children, sub);
    if (!leaf) {
      if (sub.startsWith('-')) {
        const e = sub.startsWith('--') ? `unknown flag: ${sub.split('=')[0]}` : `unknown shorthand flag: '${sub[1]}' in ${sub}`;
        throw new StatusError(125, `${e}\n\nUsage:  ${path}\n\nRun '${path} --help' for more information`);
      }
      throw new StatusError(1, `${BIN}: unknown command: ${path} ${sub}\n\nUsage:  ${path}\n\nRun '${path} --help' for more information`);
    }
    await runLeaf(cli, leaf, `${path} ${leaf.name}`, path, rest.slice(1));
    return 0;
  } catch (e) {
    if (e instanceof CommandElsewhere) throw e;
    return reportError(cli, e);
  }
}

function reportError(cli: Cli, e: unknown): number {
  if (e instanceof StatusError) {
    if (e.message) cli.printErr(`${e.message}\n`);
    return e.code || 1;
  }
  const msg = e instanceof Error ? e.message : String(e);
  if (cli.global.debug && e instanceof Error && e.stack) cli.printErr(`${e.stack}\n`);
  else if (msg) cli.printErr(`${msg}\n`);
  return 1;
}

