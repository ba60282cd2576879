import { checkpointCreate } from '../../../client/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';

export function flags(fs: FlagSet) {
  return {
    checkpointDir: fs.string('checkpoint-dir', '', '', 'Use a custom checkpoint storage directory'),
    leaveRunning: fs.bool('leave-running', '', false, 'Leave the container running after checkpoint'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const [container, checkpoint] = args as [string, string];
  const client = await cli.client();
  await checkpointCreate(client, container, { checkpointId: checkpoint, exit: !o.leaveRunning.get, ...(o.checkpointDir.get ? { checkpointDir: o.checkpointDir.get } : {}) });
  await cli.print(`${checkpoint}\n`);
}
