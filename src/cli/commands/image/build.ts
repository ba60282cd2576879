import { readFileSync, writeFileSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import type { JSONMessage } from '../../../api/types/index.js';
import { readJsonMessages } from '../../../client/index.js';
import { looksLikeArchive, packDirectory, packDockerfileOnly } from '../../../localcopy/index.js';
import { displayBuildProgress } from '../../build/progress.js';
import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';
import { displayJsonMessages, StreamError } from '../../formatter/progress.js';
import { humanSize4 } from '../../formatter/text.js';
import { validateExtraHost, validateLabel } from '../../opts/validators.js';

export function flags(fs: FlagSet) {
  return {
    addHost: fs.list('add-host', '', 'Add a custom host-to-IP mapping ("host:ip")', validateExtraHost),
    buildArg: fs.list('build-arg', '', 'Set build-time variables'),
    cacheFrom: fs.list('cache-from', '', 'Images to consider as cache sources', undefined, { type: 'strings' }),
    file: fs.string('file', 'f', '', 'Name of the Dockerfile (Default is "PATH/Dockerfile")'),
    forceRm: fs.bool('force-rm', '', false, 'Always remove intermediate containers'),
    iidfile: fs.string('iidfile', '', '', 'Write the image ID to the file'),
    label: fs.list('label', '', 'Set metadata for an image', validateLabel),
    network: fs.string('network', '', 'default', 'Set the networking mode for the RUN instructions during build'),
    noCache: fs.bool('no-cache', '', false, 'Do not use cache when building the image'),
    platform: fs.string('platform', '', process.env.DOCKER_DEFAULT_PLATFORM ?? '', 'Set platform if server is multi-platform capable'),
    progress: fs.string('progress', '', '', 'Set type of progress output ("auto", "plain", "tty"); the classic output when unset'),
    pull: fs.bool('pull', '', false, 'Always attempt to pull a newer version of the image'),
    quiet: fs.bool('quiet', 'q', false, 'Suppress the build output and print image ID on success'),
    rm: fs.bool('rm', '', true, 'Remove intermediate containers after a successful build'),
    secret: fs.list('secret', '', 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]" or "id=mysecret,env=VAR")'),
    shmSize: fs.bytes('shm-size', '', 'Size of "/dev/shm"'),
    tag: fs.list('tag', 't', 'Name and optionally a tag in the "name:tag" format'),
    target: fs.string('target', '', '', 'Set the target build stage to build.'),
  };
}

/** `--secret id=x,src=FILE` / `id=x,env=VAR` (BuildKit's forms; src defaults to the id as a path). */
function readSecrets(specs: readonly string[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const spec of specs) {
    const f = new Map(spec.split(',').map((kv) => { const i = kv.indexOf('='); return [i < 0 ? kv : kv.slice(0, i), i < 0 ? '' : kv.slice(i + 1)] as [string, string]; }));
    const id = f.get('id') ?? '';
    if (!/^[A-Za-z0-9_.-]+$/.test(id) || id === '.' || id === '..') throw new StatusError(125, `invalid secret "${spec}": id must be a name of letters, digits, '.', '_' or '-'`);
    const env = f.get('env');
    if (env !== undefined) {
      const v = process.env[env];
      if (v === undefined) throw new StatusError(125, `invalid secret "${spec}": environment variable ${env} is not set`);
      out.set(id, Buffer.from(v));
      continue;
    }
    const src = f.get('src') ?? f.get('source') ?? id;
    try {
      out.set(id, readFileSync(src));
    } catch {
      throw new StatusError(125, `failed to read secret "${id}": open ${src}: no such file or directory`);
    }
  }
  return out;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const spec = args[0]!;
  const progress = o.progress.get;
  if (progress && !['auto', 'plain', 'tty'].includes(progress)) throw new StatusError(125, `invalid progress mode "${progress}": expected auto, plain or tty`);
  if (spec === '-' && o.file.get === '-') throw new Error('invalid argument: can\'t use stdin for both build context and dockerfile');
  let body: Readable | undefined;
  let dockerfile = o.file.get;
  let remote: string | undefined;
  if (spec === '-') {
    const input = await readAll(cli.in);
    if (looksLikeArchive(input)) body = Readable.from([input]);
    else {
      const packed = packDockerfileOnly(input);
      body = packed.tar;
      dockerfile = packed.dockerfile;
    }
  } else if (/^(https?|git):\/\//i.test(spec) || spec.startsWith('git@')) {
    remote = spec;
  } else {
    const dockerfileText = o.file.get === '-' ? await readAll(cli.in) : undefined;
    const packed = packDirectory(spec, {
      dockerfile: o.file.get && o.file.get !== '-' ? o.file.get : undefined, ...(dockerfileText ? { dockerfileText } : {}), secrets: readSecrets(o.secret.get),
    });
    body = packed.tar;
    dockerfile = packed.dockerfile;
  }

  const buildArgs: Record<string, string | null> = {};
  for (const a of o.buildArg.get) {
    const eq = a.indexOf('=');
    if (eq >= 0) buildArgs[a.slice(0, eq)] = a.slice(eq + 1);
    else buildArgs[a] = process.env[a] ?? null;
  }
  const labels: Record<string, string> = {};
  for (const l of o.label.get) {
    const eq = l.indexOf('=');
    labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  const quiet = o.quiet.get;
  let sent = 0;
  let upload: Readable | undefined;
  if (body) {
    // Counted as it passes: a 'data' listener would start the flow before the request takes it.
    const counter = new Transform({ transform(chunk: Buffer, _enc, done) { sent += chunk.length; done(null, chunk); } });
    if (!quiet && !progress) counter.on('end', () => cli.out.write(`Sending build context to Docker daemon  ${humanSize4(sent)}\r\r\n`));
    body.on('error', (e) => counter.destroy(e));
    upload = body.pipe(counter);
  }
  const client = await cli.client();
  const res = await client.imageBuild(upload, {
    t: o.tag.get, dockerfile: dockerfile || undefined, remote, buildargs: JSON.stringify(buildArgs),
    labels: JSON.stringify(labels), q: quiet ? '1' : undefined, nocache: o.noCache.get ? '1' : undefined,
    pull: o.pull.get ? '1' : undefined, rm: o.rm.get ? '1' : '0', forcerm: o.forceRm.get ? '1' : undefined,
    networkmode: o.network.get, extrahosts: o.addHost.get.length ? o.addHost.get.join(',') : undefined,
    shmsize: o.shmSize.get ? String(o.shmSize.get) : undefined, target: o.target.get || undefined,
    platform: o.platform.get || undefined, cachefrom: o.cacheFrom.get.length ? JSON.stringify(o.cacheFrom.get) : undefined,
    version: '1',
  });
  let imageId = '';
  const onAux = (m: JSONMessage): void => {
    const id = (m.aux as { ID?: string } | undefined)?.ID;
    if (id) imageId = id;
  };
  const messages = readJsonMessages(res);
  try {
    const mode = progress === 'auto' ? (cli.out.isTTY ? 'tty' : 'plain') : progress;
    if (quiet) {
      for await (const m of messages) {
        if (m.errorDetail) throw new StreamError(m.errorDetail.message ?? '', m.errorDetail.code);
        onAux(m);
      }
    } else if (mode === 'plain' || mode === 'tty') {
      await displayBuildProgress(messages, mode === 'tty' ? cli.out : cli.err, { mode, onAux });
    } else {
      await displayJsonMessages(messages, cli.out, { isTerminal: !!cli.out.isTTY, width: cli.out.columns, onAux });
    }
  } catch (e) {
    if (e instanceof StreamError) throw new StatusError(e.code || 1, e.message);
    throw e;
  }
  if (quiet) cli.out.write(`${imageId}\n`);
  if (o.iidfile.get) writeFileSync(o.iidfile.get, imageId);
}
