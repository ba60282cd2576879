import type { EngineClient } from '../../../client/index.js';
import { isNotFound } from '../../../client/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import type { InspectedObject } from '../../formatter/inspect.js';
import { INSPECT_FORMAT_HELP } from '../common.js';
import { runInspect } from '../inspect-run.js';

const ALL_TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

export function flags(fs: FlagSet) {
  return {
    format: fs.string('format', 'f', '', INSPECT_FORMAT_HELP),
    size: fs.bool('size', 's', false, 'Display total file sizes if the type is container'),
    type: fs.string('type', '', '', 'Only inspect objects of the given type'),
  };
}

type Inspector = { type: string; size: boolean; get: (c: EngineClient, ref: string, size: boolean) => Promise<InspectedObject> };

// Swarm objects (service, task, node, secret, config) are skipped: berth has no swarm mode here.
const INSPECTORS: Inspector[] = [
  { type: 'container', size: true, get: (c, ref, size) => c.containerInspectRaw(ref, { size }) },
  { type: 'image', size: false, get: (c, ref) => c.imageInspectRaw(ref) },
  { type: 'network', size: false, get: (c, ref) => c.networkInspectRaw(ref) },
  { type: 'volume', size: false, get: (c, ref) => c.volumeInspectRaw(ref) },
  { type: 'plugin', size: false, get: (c, ref) => c.pluginInspectRaw(ref) },
];

function skippable(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return isNotFound(e) || msg.includes('not supported') || msg.includes('invalid reference format');
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const type = o.type.get;
  if (type !== '' && !ALL_TYPES.includes(type)) {
    throw new Error(`unknown type: ${JSON.stringify(type)}: must be one of "${ALL_TYPES.join('", "')}"`);
  }
  const client = await cli.client();
  await runInspect(cli, args, o.format.get, async (ref) => {
    for (const ins of INSPECTORS) {
      if (type !== '' && ins.type !== type) continue;
      try {
        const r = await ins.get(client, ref, o.size.get);
        if (o.size.get && !ins.size) cli.printErr(`WARNING: --size ignored for ${ins.type}\n`);
        return r;
      } catch (e) {
        if (type === '' && skippable(e)) continue;
        throw e;
      }
    }
    throw new Error(`Error: No such object: ${ref}`);
  });
}
