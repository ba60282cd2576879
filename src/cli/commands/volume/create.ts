import type { Cli } from '../../cli.js';
import { StringValue, type FlagSet } from '../../flags/index.js';
import { kvToMap } from '../../opts/kv-files.js';

export function flags(fs: FlagSet) {
  return {
    driver: fs.string('driver', 'd', 'local', 'Specify volume driver name'),
    label: fs.list('label', '', 'Set metadata for a volume'),
    name: fs.add('name', '', 'Specify volume name', new StringValue(''), { hidden: true }),
    opt: fs.map('opt', 'o', 'Set driver specific options'),
  };
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  let name = o.name.get;
  if (args.length > 0) {
    if (name !== '') throw new Error('conflicting options: either specify --name or provide positional arg, not both');
    name = args[0]!;
  }
  const client = await cli.client();
  const vol = await client.volumeCreate({
    Name: name, Driver: o.driver.get, DriverOpts: Object.fromEntries(o.opt.get), Labels: kvToMap(o.label.get),
  });
  await cli.print(`${vol.Name}\n`);
}
