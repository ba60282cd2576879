import { existsSync, openSync, closeSync, unlinkSync, writeSync } from 'node:fs';
import type { ContainerCreateRequest } from '../../../api/types/index.js';
import type { EngineClient } from '../../../client/index.js';
import { isNotFound, readJsonMessages } from '../../../client/index.js';
import { familiarString, parseAnyReference, parseNormalizedNamed, tagNameOnly } from '../../../oci/index.js';
import type { Reference } from '../../../oci/index.js';
import type { Cli } from '../../cli.js';
import { BIN } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';
import { displayJsonMessages } from '../../formatter/progress.js';
import { buildCreatePlan, containerFlags } from '../../opts/container-options.js';
import type { ContainerFlags } from '../../opts/container-options.js';
import { registryAuth } from '../registry/credentials.js';
import { errorText } from '../common.js';

/** The flags of `create` besides the container ones (run adds its own). */
export function createFlags(fs: FlagSet, verb: 'run' | 'create') {
  return {
    name: fs.string('name', '', '', 'Assign a name to the container'),
    pull: fs.string('pull', '', 'missing', verb === 'run' ? 'Pull image before running ("always", "missing", "never")' : 'Pull image before creating ("always", "|missing", "never")'),
    quiet: fs.bool('quiet', 'q', false, 'Suppress the pull output'),
    useApiSocket: fs.bool('use-api-socket', '', false, 'Bind mount Docker API socket and required auth'),
    help: fs.bool('help', '', false, 'Print usage'),
    platform: fs.string('platform', '', process.env.DOCKER_DEFAULT_PLATFORM ?? '', 'Set platform if server is multi-platform capable'),
    disableContentTrust: fs.bool('disable-content-trust', '', true, 'Skip image verification'),
  };
}

export type CreateFlags = ReturnType<typeof createFlags>;

export function flags(fs: FlagSet) {
  return { create: createFlags(fs, 'create'), container: containerFlags(fs), fs };
}

/** docker's withHelp: "berth: <err>\n\nRun 'berth run --help' for more information". */
export function withHelp(e: unknown, verb: string): string {
  return `${BIN}: ${errorText(e)}\n\nRun '${BIN} ${verb} --help' for more information`;
}

export function validatePullOpt(v: string): void {
  if (!['always', 'missing', 'never', ''].includes(v)) {
    throw new Error(`invalid pull option: '${v}': must be one of "always", "missing" or "never"`);
  }
}

/** Parse flags into a create request, or fail with exit 125 and docker's help hint. */
export function parseOrExit(verb: 'run' | 'create', c: ContainerFlags, cf: CreateFlags, fs: FlagSet, args: string[]): { body: ContainerCreateRequest; cidfile: string } {
  try {
    validatePullOpt(cf.pull.get);
    return buildCreatePlan(c, fs, args[0]!, args.slice(1));
  } catch (e) {
    throw new StatusError(125, withHelp(e, verb));
  }
}

async function pullImage(cli: Cli, client: EngineClient, image: string, o: CreateFlags): Promise<void> {
  const registryAuthHeader = await registryAuth(cli, parseNormalizedNamed(image).domain);
  const res = await client.imagePull(image, { platform: o.platform.get || undefined, registryAuth: registryAuthHeader });
  const out = o.quiet.get ? { write: () => true } as unknown as NodeJS.WritableStream : cli.err;
  await displayJsonMessages(readJsonMessages(res), out, { isTerminal: !o.quiet.get && !!cli.err.isTTY, width: process.stderr.columns });
}

function isLoopback(ip: string): boolean {
  return /^127\./.test(ip) || ip === '::1';
}

/**
 * docker's createContainer: write the cidfile, create, and when the image is missing
 * (and --pull=missing) say so, pull it and try again. Prints the daemon's warnings.
 */
export async function createContainer(cli: Cli, body: ContainerCreateRequest, cidfile: string, o: CreateFlags): Promise<string> {
  const client = await cli.client();
  let fd: number | undefined;
  let written = false;
  if (cidfile) {
    if (existsSync(cidfile)) throw new Error(`container ID file found, make sure the other container isn't running or delete ${cidfile}`);
    try {
      fd = openSync(cidfile, 'w', 0o666);
    } catch (e) {
      throw new Error(`failed to create the container ID file: ${errorText(e)}`);
    }
  }
  try {
    let named: Reference | undefined;
    const any = parseAnyReference(body.Image ?? '');
    if (any.kind === 'named') named = tagNameOnly(any.ref);

    if (o.useApiSocket.get) {
      const ep = client.endpoint;
      if (ep.kind !== 'unix') throw new Error(`flag --use-api-socket can only be used with unix sockets: docker endpoint ${ep.url} incompatible`);
      body.HostConfig = { ...body.HostConfig, Mounts: [...(body.HostConfig?.Mounts ?? []), { Type: 'bind', Source: ep.socketPath, Target: '/var/run/docker.sock', BindOptions: {} }] };
    }
    if (o.pull.get === 'always') await pullImage(cli, client, body.Image!, o);
    body.HostConfig = { ...body.HostConfig, ConsoleSize: cli.ttySize() };
    const opts = { name: o.name.get || undefined, platform: o.platform.get || undefined };
    let res;
    try {
      res = await client.containerCreate(body, opts);
    } catch (e) {
      if (!(isNotFound(e) && named && o.pull.get === 'missing')) throw e;
      if (!o.quiet.get) cli.printErr(`Unable to find image '${familiarString(named)}' locally\n`);
      await pullImage(cli, client, body.Image!, o);
      res = await client.containerCreate(body, opts);
    }
    const warnings = [...(res.Warnings ?? [])];
    const dns = (body.HostConfig?.Dns ?? []).find(isLoopback);
    if (dns) warnings.push(`Localhost DNS (${dns}) may fail in containers.`);
    for (const w of warnings) cli.printErr(`WARNING: ${w}\n`);
    if (fd !== undefined) {
      try {
        writeSync(fd, res.Id);
        written = true;
      } catch (e) {
        throw new Error(`failed to write the container ID to the file: ${errorText(e)}`);
      }
    }
    return res.Id;
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
      if (!written) {
        try {
          unlinkSync(cidfile);
        } catch { /* already gone */ }
      }
    }
  }
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const { body, cidfile } = parseOrExit('create', o.container, o.create, o.fs, args);
  const id = await createContainer(cli, body, cidfile, o.create);
  await cli.print(`${id}\n`);
}
