import type { ArgsRule, CommandSpec } from '../command.js';

const none: ArgsRule = { kind: 'none' };
const min = (n: number): ArgsRule => ({ kind: 'min', n });
const exact = (n: number): ArgsRule => ({ kind: 'exact', n });
const max = (n: number): ArgsRule => ({ kind: 'max', n });

// Each leaf is declared once; the top-level shortcut ("ps") reuses it under another name.
const C = {
  attach: { name: 'attach', use: '[OPTIONS] CONTAINER', short: 'Attach local standard input, output, and error streams to a running container', aliasesLine: 'berth container attach, berth attach', args: exact(1), load: () => import('./container/attach.js') },
  commit: { name: 'commit', use: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]', short: "Create a new image from a container's changes", aliasesLine: 'berth container commit, berth commit', args: { kind: 'range', min: 1, max: 2 }, load: () => import('./container/commit.js') },
  cp: { name: 'cp', use: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH', short: 'Copy files/folders between a container and the local filesystem', aliasesLine: 'berth container cp, berth cp', args: exact(2), load: () => import('./container/cp.js') },
  create: { name: 'create', use: '[OPTIONS] IMAGE [COMMAND] [ARG...]', short: 'Create a new container', aliasesLine: 'berth container create, berth create', args: min(1), interspersed: false, load: () => import('./container/create.js') },
  diff: { name: 'diff', use: 'CONTAINER', short: "Inspect changes to files or directories on a container's filesystem", aliasesLine: 'berth container diff, berth diff', args: exact(1), load: () => import('./container/diff.js') },
  exec: { name: 'exec', use: '[OPTIONS] CONTAINER COMMAND [ARG...]', short: 'Execute a command in a running container', aliasesLine: 'berth container exec, berth exec', args: min(2), interspersed: false, load: () => import('./container/exec.js') },
  export: { name: 'export', use: '[OPTIONS] CONTAINER', short: "Export a container's filesystem as a tar archive", aliasesLine: 'berth container export, berth export', args: exact(1), load: () => import('./container/export.js') },
  inspect: { name: 'inspect', use: '[OPTIONS] CONTAINER [CONTAINER...]', short: 'Display detailed information on one or more containers', args: min(1), load: () => import('./container/inspect.js') },
  kill: { name: 'kill', use: '[OPTIONS] CONTAINER [CONTAINER...]', short: 'Kill one or more running containers', aliasesLine: 'berth container kill, berth kill', args: min(1), load: () => import('./container/kill.js') },
  pause: { name: 'pause', use: 'CONTAINER [CONTAINER...]', short: 'Pause all processes within one or more containers', aliasesLine: 'berth container pause, berth pause', args: min(1), load: () => import('./container/pause.js') },
  stats: { name: 'stats', use: '[OPTIONS] [CONTAINER...]', short: 'Display a live stream of container(s) resource usage statistics', aliasesLine: 'berth container stats, berth stats', args: { kind: 'any' }, load: () => import('./container/stats.js') },
  unpause: { name: 'unpause', use: 'CONTAINER [CONTAINER...]', short: 'Unpause all processes within one or more containers', aliasesLine: 'berth container unpause, berth unpause', args: min(1), load: () => import('./container/unpause.js') },
  update: { name: 'update', use: '[OPTIONS] CONTAINER [CONTAINER...]', short: 'Update configuration of one or more containers', aliasesLine: 'berth container update, berth update', args: min(1), load: () => import('./container/update.js') },
  logs: { name: 'logs', use: '[OPTIONS] CONTAINER', short: 'Fetch the logs of a container', aliasesLine: 'berth container logs, berth logs', args: exact(1), load: () => import('./container/logs.js') },
  ls: { name: 'ls', use: '[OPTIONS]', short: 'List containers', aliases: ['list', 'ps'], aliasesLine: 'berth container ls, berth container list, berth container ps, berth ps', args: none, load: () => import('./container/ls.js') },
  port: { name: 'port', use: 'CONTAINER [PRIVATE_PORT[/PROTO]]', short: 'List port mappings or a specific mapping for the container', aliasesLine: 'berth container port, berth port', args: { kind: 'range', min: 1, max: 2 }, load: () => import('./container/port.js') },
  prune: { name: 'prune', use: '[OPTIONS]', short: 'Remove all stopped containers', args: none, load: () => import('./container/prune.js') },
  rename: { name: 'rename', use: 'CONTAINER NEW_NAME', short: 'Rename a container', aliasesLine: 'berth container rename, berth rename', args: exact(2), load: () => import('./container/rename.js') },
  restart: { name: 'restart', use: '[OPTIONS] CONTAINER [CONTAINER...]', short: 'Restart one or more containers', aliasesLine: 'berth container restart, berth restart', args: min(1), load: () => import('./container/restart.js') },
  rm: { name: 'rm', use: '[OPTIONS] CONTAINER [CONTAINER...]', short: 'Remove one or more containers', aliases: ['remove'], aliasesLine: 'berth container rm, berth container remove, berth rm', args: min(1), load: () => import('./container/rm.js') },
  run: { name: 'run', use: '[OPTIONS] IMAGE [COMMAND] [ARG...]', short: 'Create and run a new container from an image', aliasesLine: 'berth container run, berth run', args: min(1), interspersed: false, load: () => import('./container/run.js') },
  start: { name: 'start', use: '[OPTIONS] CONTAINER [CONTAINER...]', short: 'Start one or more stopped containers', aliasesLine: 'berth container start, berth start', args: min(1), load: () => import('./container/start.js') },
  stop: { name: 'stop', use: '[OPTIONS] CONTAINER [CONTAINER...]', short: 'Stop one or more running containers', aliasesLine: 'berth container stop, berth stop', args: min(1), load: () => import('./container/stop.js') },
  top: { name: 'top', use: 'CONTAINER [ps OPTIONS]', short: 'Display the running processes of a container', aliasesLine: 'berth container top, berth top', args: min(1), interspersed: false, load: () => import('./container/top.js') },
  wait: { name: 'wait', use: 'CONTAINER [CONTAINER...]', short: 'Block until one or more containers stop, then print their exit codes', aliasesLine: 'berth container wait, berth wait', args: min(1), load: () => import('./container/wait.js') },
} satisfies Record<string, CommandSpec>;

const I = {
  build: { name: 'build', use: '[OPTIONS] PATH | URL | -', short: 'Build an image from a Dockerfile', aliasesLine: 'berth image build, berth build, berth builder build', args: exact(1), load: () => import('./image/build.js') },
  history: { name: 'history', use: '[OPTIONS] IMAGE', short: 'Show the history of an image', aliasesLine: 'berth image history, berth history', args: exact(1), load: () => import('./image/history.js') },
  import: { name: 'import', use: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]', short: 'Import the contents from a tarball to create a filesystem image', aliasesLine: 'berth image import, berth import', args: { kind: 'range', min: 1, max: 2 }, load: () => import('./image/import.js') },
  inspect: { name: 'inspect', use: '[OPTIONS] IMAGE [IMAGE...]', short: 'Display detailed information on one or more images', args: min(1), load: () => import('./image/inspect.js') },
  load: { name: 'load', use: '[OPTIONS]', short: 'Load an image from a tar archive or STDIN', aliasesLine: 'berth image load, berth load', args: none, load: () => import('./image/load.js') },
  mkimage: { name: 'mkimage', use: '[OPTIONS] busybox|debian|registry', short: "Build a base image from this machine's busybox-static or debootstrap, or berth's registry image, and load it", args: exact(1), load: () => import('./image/mkimage.js') },
  ls: { name: 'ls', use: '[OPTIONS] [REPOSITORY[:TAG]]', short: 'List images', aliases: ['list'], aliasesLine: 'berth image ls, berth image list, berth images', args: max(1), load: () => import('./image/ls.js') },
  prune: { name: 'prune', use: '[OPTIONS]', short: 'Remove unused images', args: none, load: () => import('./image/prune.js') },
  push: { name: 'push', use: '[OPTIONS] NAME[:TAG]', short: 'Upload an image to a registry', aliasesLine: 'berth image push, berth push', args: exact(1), load: () => import('./image/push.js') },
  pull: { name: 'pull', use: '[OPTIONS] NAME[:TAG|@DIGEST]', short: 'Download an image from a registry', aliasesLine: 'berth image pull, berth pull', args: exact(1), load: () => import('./image/pull.js') },
  rm: { name: 'rm', use: '[OPTIONS] IMAGE [IMAGE...]', short: 'Remove one or more images', aliases: ['remove'], aliasesLine: 'berth image rm, berth image remove, berth rmi', args: min(1), load: () => import('./image/rm.js') },
  save: { name: 'save', use: '[OPTIONS] IMAGE [IMAGE...]', short: 'Save one or more images to a tar archive (streamed to STDOUT by default)', aliasesLine: 'berth image save, berth save', args: min(1), load: () => import('./image/save.js') },
  tag: { name: 'tag', use: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE', aliasesLine: 'berth image tag, berth tag', args: exact(2), load: () => import('./image/tag.js') },
} satisfies Record<string, CommandSpec>;

const B = {
  prune: { name: 'prune', use: '[OPTIONS]', short: 'Remove build cache', args: none, load: () => import('./builder/prune.js') },
} satisfies Record<string, CommandSpec>;

const N = {
  connect: { name: 'connect', use: '[OPTIONS] NETWORK CONTAINER', short: 'Connect a container to a network', args: exact(2), load: () => import('./network/connect.js') },
  create: { name: 'create', use: '[OPTIONS] NETWORK', short: 'Create a network', args: exact(1), load: () => import('./network/create.js') },
  disconnect: { name: 'disconnect', use: '[OPTIONS] NETWORK CONTAINER', short: 'Disconnect a container from a network', args: exact(2), load: () => import('./network/disconnect.js') },
  inspect: { name: 'inspect', use: '[OPTIONS] NETWORK [NETWORK...]', short: 'Display detailed information on one or more networks', args: min(1), load: () => import('./network/inspect.js') },
  ls: { name: 'ls', use: '[OPTIONS]', short: 'List networks', aliases: ['list'], args: none, load: () => import('./network/ls.js') },
  prune: { name: 'prune', use: '[OPTIONS]', short: 'Remove all unused networks', args: none, load: () => import('./network/prune.js') },
  rm: { name: 'rm', use: 'NETWORK [NETWORK...]', short: 'Remove one or more networks', aliases: ['remove'], args: min(1), load: () => import('./network/rm.js') },
} satisfies Record<string, CommandSpec>;

const R = {
  login: { name: 'login', use: '[OPTIONS] [SERVER]', short: 'Authenticate to a registry', args: max(1), load: () => import('./registry/login.js') },
  logout: { name: 'logout', use: '[SERVER]', short: 'Log out from a registry', args: max(1), load: () => import('./registry/logout.js') },
  search: { name: 'search', use: '[OPTIONS] TERM', short: 'Search Docker Hub for images', args: exact(1), load: () => import('./registry/search.js') },
} satisfies Record<string, CommandSpec>;

const K = {
  create: { name: 'create', use: '[OPTIONS] CONTAINER CHECKPOINT', short: 'Create a checkpoint from a running container', args: exact(2), load: () => import('./checkpoint/create.js') },
  ls: { name: 'ls', use: '[OPTIONS] CONTAINER', short: 'List checkpoints for a container', aliases: ['list'], args: exact(1), load: () => import('./checkpoint/ls.js') },
  rm: { name: 'rm', use: '[OPTIONS] CONTAINER CHECKPOINT', short: 'Remove a checkpoint', aliases: ['remove'], args: exact(2), load: () => import('./checkpoint/rm.js') },
} satisfies Record<string, CommandSpec>;
const S = {
  version: { name: 'version', use: '[OPTIONS]', short: 'Show the berth version information', args: none, load: () => import('./system/version.js') },
  info: { name: 'info', use: '[OPTIONS]', short: 'Display system-wide information', aliasesLine: 'berth system info, berth info', args: none, load: () => import('./system/info.js') },
  inspect: { name: 'inspect', use: '[OPTIONS] NAME|ID [NAME|ID...]', short: 'Return low-level information on berth objects', args: min(1), load: () => import('./system/inspect.js') },
  events: { name: 'events', use: '[OPTIONS]', short: 'Get real time events from the server', aliasesLine: 'berth system events, berth events', args: none, load: () => import('./system/events.js') },
  df: { name: 'df', use: '[OPTIONS]', short: 'Show berth disk usage', args: none, load: () => import('./system/df.js') },
  prune: { name: 'prune', use: '[OPTIONS]', short: 'Remove unused data', args: none, load: () => import('./system/prune.js') },
} satisfies Record<string, CommandSpec>;

const V = {
  create: { name: 'create', use: '[OPTIONS] [VOLUME]', short: 'Create a volume', args: max(1), load: () => import('./volume/create.js') },
  inspect: { name: 'inspect', use: '[OPTIONS] VOLUME [VOLUME...]', short: 'Display detailed information on one or more volumes', args: min(1), load: () => import('./volume/inspect.js') },
  ls: { name: 'ls', use: '[OPTIONS]', short: 'List volumes', aliases: ['list'], aliasesLine: 'berth volume ls, berth volume list', args: none, load: () => import('./volume/ls.js') },
  prune: { name: 'prune', use: '[OPTIONS]', short: 'Remove unused local volumes', args: none, load: () => import('./volume/prune.js') },
  rm: { name: 'rm', use: '[OPTIONS] VOLUME [VOLUME...]', short: 'Remove one or more volumes', aliases: ['remove'], aliasesLine: 'berth volume rm, berth volume remove', args: min(1), load: () => import('./volume/rm.js') },
} satisfies Record<string, CommandSpec>;

const RS = {
  serve: { name: 'serve', use: '[config.yml]', short: 'Serve the OCI distribution API (a private registry)', args: max(1), load: () => import('./registry/serve.js') },
  gc: { name: 'garbage-collect', use: '[OPTIONS] config.yml', short: 'Delete the blobs of a registry that no manifest names', args: exact(1), load: () => import('./registry/garbage-collect.js') },
} satisfies Record<string, CommandSpec>;

function as(name: string, spec: CommandSpec, extra: Partial<CommandSpec> = {}): CommandSpec {
  return { ...spec, name, aliases: undefined, ...extra };
}

/** The command tree: management commands with their verbs, and docker's top-level shortcuts. */
export const COMMANDS: CommandSpec[] = [
  { name: 'container', use: '', short: 'Manage containers', args: { kind: 'any' }, children: Object.values(C) },
  { name: 'image', use: '', short: 'Manage images', args: { kind: 'any' }, children: Object.values(I) },
  { name: 'builder', use: '', short: 'Manage builds', args: { kind: 'any' }, children: [as('build', I.build), B.prune] },
  { name: 'system', use: '', short: 'Manage berth', args: { kind: 'any' }, children: [S.df, S.events, S.info, S.prune] },
  { name: 'volume', use: 'COMMAND', short: 'Manage volumes', args: { kind: 'any' }, children: Object.values(V) },
  { name: 'network', use: '', short: 'Manage networks', args: { kind: 'any' }, children: Object.values(N) },
  { name: 'registry', use: '', short: "Run berth's registry server", args: { kind: 'any' }, children: Object.values(RS) },
  { name: 'checkpoint', use: '', short: 'Manage checkpoints', args: { kind: 'any' }, children: Object.values(K) },
  as('run', C.run, { top: 1 }),
  as('ps', C.ls, { top: 2 }),
  as('pull', I.pull, { top: 3 }),
  as('build', I.build, { top: 4 }),
  as('push', I.push, { top: 5 }),
  as('images', I.ls, { top: 6 }),
  { ...R.login, top: 7 }, { ...R.logout, top: 8 }, { ...R.search, top: 9 },
  as('version', S.version, { top: 10 }),
  as('info', S.info, { top: 11 }),
  as('attach', C.attach), as('commit', C.commit), as('cp', C.cp), as('diff', C.diff), as('create', C.create), as('export', C.export), as('kill', C.kill), as('logs', C.logs),
  as('rename', C.rename), as('restart', C.restart), as('rm', C.rm), as('start', C.start), as('stop', C.stop),
  as('wait', C.wait), as('pause', C.pause), as('unpause', C.unpause), as('stats', C.stats), as('update', C.update), as('exec', C.exec), as('top', C.top),
  as('port', C.port), as('history', I.history), as('import', I.import), as('load', I.load), as('rmi', I.rm),
  as('save', I.save), as('tag', I.tag), as('inspect', S.inspect), as('events', S.events),
];

/** Find `name` (or one of its aliases) among `specs`. */
export function findCommand(specs: readonly CommandSpec[], name: string): CommandSpec | undefined {
  return specs.find((s) => s.name === name) ?? specs.find((s) => s.aliases?.includes(name));
}
