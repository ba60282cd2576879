import { createInterface } from 'node:readline';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { authKey, configPath, updateAuths } from './credentials.js';

export function flags(fs: FlagSet) {
  return {
    password: fs.string('password', 'p', '', 'Password or Personal Access Token (PAT)'),
    passwordStdin: fs.bool('password-stdin', '', false, 'Take the Password or Personal Access Token (PAT) from stdin'),
    username: fs.string('username', 'u', '', 'Username'),
  };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer | string>) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
}

async function prompt(cli: Cli, question: string, opts: { hidden?: boolean } = {}): Promise<string> {
  const rl = createInterface({ input: cli.in, output: cli.out, terminal: !!cli.in.isTTY });
  if (opts.hidden) {
    const rlAny = rl as unknown as { _writeToOutput?: (s: string) => void };
    rlAny._writeToOutput = (s: string) => { if (s.includes(question)) cli.out.write(s); };
  }
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    if (opts.hidden) cli.out.write('\n');
  }
}

/** docker login: check the credentials through the daemon (POST /auth), then keep them in config.json. */
export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const server = args[0] ?? '';
  let password = o.password.get;
  if (password) cli.printErr('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  if (o.passwordStdin.get) {
    if (password) throw new Error('--password and --password-stdin are mutually exclusive');
    if (!o.username.get) throw new Error('Must provide --username with --password-stdin');
    password = (await readAll(cli.in)).replace(/\r?\n$/, '');
  }
  let username = o.username.get;
  if (!username || !password) {
    if (!cli.in.isTTY) throw new Error('Cannot perform an interactive login from a non TTY device');
    if (!username) username = (await prompt(cli, 'Username: ')).trim();
    if (!username) throw new Error('Username is required');
    if (!password) password = await prompt(cli, 'Password: ', { hidden: true });
    if (!password) throw new Error('Password is required');
  }
  const key = authKey(server);
  const client = await cli.client();
  const res = await client.registryLogin({ username, password, serveraddress: key });
  await updateAuths(cli, (auths) => {
    auths[key] = res.IdentityToken
      ? { auth: Buffer.from(`${username}:`).toString('base64'), identitytoken: res.IdentityToken }
      : { auth: Buffer.from(`${username}:${password}`).toString('base64') };
  });
  cli.printErr(`\nWARNING! Your credentials are stored unencrypted in '${configPath(cli)}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`);
  await cli.print(`${res.Status || 'Login Succeeded'}\n`);
}
