import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagSet } from '../flags/index.js';
import { buildCreatePlan, containerFlags } from './container-options.js';

function build(argv: string[]) {
  const fs = new FlagSet();
  fs.interspersed = false;
  const f = containerFlags(fs);
  const { args } = fs.parse(argv);
  return buildCreatePlan(f, fs, args[0]!, args.slice(1)).body;
}

test('a plain run attaches stdout and stderr and joins the default network', () => {
  const b = build(['busybox', 'echo', 'hi']);
  assert.equal(b.Image, 'busybox');
  assert.deepEqual(b.Cmd, ['echo', 'hi']);
  assert.deepEqual([b.AttachStdin, b.AttachStdout, b.AttachStderr, b.OpenStdin, b.StdinOnce, b.Tty], [false, true, true, false, false, false]);
  assert.equal(b.HostConfig!.NetworkMode, 'default');
  assert.deepEqual(Object.keys(b.NetworkingConfig!.EndpointsConfig!), ['default']);
  assert.equal(b.Env, null);
  assert.equal(b.HostConfig!.MemorySwappiness, -1);
});

test('-it attaches stdin once; -a limits the streams', () => {
  const it = build(['-it', 'busybox', 'sh']);
  assert.deepEqual([it.AttachStdin, it.OpenStdin, it.StdinOnce, it.Tty], [true, true, true, true]);
  const a = build(['-a', 'stderr', 'busybox']);
  assert.deepEqual([a.AttachStdin, a.AttachStdout, a.AttachStderr], [false, false, true]);
});

test('resource, restart and namespace flags map to HostConfig', () => {
  const h = build(['-m', '64m', '--memory-swap=-1', '--cpus', '0.5', '--cpu-shares', '512', '--pids-limit', '20', '--restart', 'on-failure:3',
    '--ulimit', 'nofile=10:20', '--read-only', '--privileged', '--init', '--cap-add', 'NET_ADMIN', '--pid', 'host', 'busybox']).HostConfig!;
  assert.equal(h.Memory, 64 * 1024 * 1024);
  assert.equal(h.MemorySwap, -1);
  assert.equal(h.NanoCpus, 500_000_000);
  assert.equal(h.CpuShares, 512);
  assert.equal(h.PidsLimit, 20);
  assert.deepEqual(h.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(h.Ulimits, [{ Name: 'nofile', Soft: 10, Hard: 20 }]);
  assert.deepEqual([h.ReadonlyRootfs, h.Privileged, h.Init, h.PidMode], [true, true, true, 'host']);
  assert.deepEqual(h.CapAdd, ['NET_ADMIN']);
});

test('config flags map to the container config', () => {
  const b = build(['-e', 'A=1', '-l', 'x=y', '-w', '/w', '-u', '1:2', '-h', 'box', '--entrypoint', '/bin/sh', '--stop-signal', 'SIGUSR1',
    '--stop-timeout', '5', '-p', '8080:80', '--expose', '7000-7001', '-v', '/anon', '-v', '/h:/c', '--health-cmd', 'true', '--health-interval', '5s', 'busybox']);
  assert.deepEqual(b.Env, ['A=1']);
  assert.deepEqual(b.Labels, { x: 'y' });
  assert.deepEqual([b.WorkingDir, b.User, b.Hostname, b.StopSignal, b.StopTimeout], ['/w', '1:2', 'box', 'SIGUSR1', 5]);
  assert.deepEqual(b.Entrypoint, ['/bin/sh']);
  assert.deepEqual(Object.keys(b.ExposedPorts!).sort(), ['7000/tcp', '7001/tcp', '80/tcp']);
  assert.deepEqual(b.HostConfig!.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(b.Volumes, { '/anon': {} });
  assert.deepEqual(b.HostConfig!.Binds, ['/h:/c']);
  assert.deepEqual(b.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 5e9 });
});

test('an empty --entrypoint resets the image entrypoint', () => {
  assert.deepEqual(build(['--entrypoint', '', 'busybox']).Entrypoint, ['']);
  assert.equal(build(['busybox']).Entrypoint, null);
});

test('network flags follow docker\'s endpoint rules', () => {
  const one = build(['--network', 'appnet', '--network-alias', 'db', '--ip', '10.0.0.5', 'busybox']);
  assert.equal(one.HostConfig!.NetworkMode, 'appnet');
  assert.deepEqual(one.NetworkingConfig!.EndpointsConfig, { appnet: { Aliases: ['db'], IPAMConfig: { IPv4Address: '10.0.0.5' }, GwPriority: 0 } });
  assert.deepEqual(build(['--network', 'none', 'busybox']).NetworkingConfig!.EndpointsConfig, {});
  const adv = build(['--network', 'name=a,alias=x', '--network', 'b', 'busybox']);
  assert.deepEqual(Object.keys(adv.NetworkingConfig!.EndpointsConfig!), ['a', 'b']);
});

// The checks docker's CLI makes before calling the daemon, with its texts.
const REFUSED: Array<[string[], RegExp]> = [
  [['--rm', '--restart', 'always', 'busybox'], /^conflicting options: cannot specify both --restart and --rm$/],
  [['--restart', ':3', 'busybox'], /^invalid restart policy format: no policy provided before colon$/],
  [['--restart', 'on-failure:x', 'busybox'], /^invalid restart policy format: maximum retry count must be an integer$/],
  [['--memory-swappiness', '200', 'busybox'], /^invalid value: 200. Valid memory swappiness range is 0-100$/],
  [['--network-alias', 'x', 'busybox'], /^network-scoped aliases are only supported for user-defined networks$/],
  [['--network', 'a', '--network', 'bridge', 'busybox'], /^conflicting options: cannot attach both user-defined and non-user-defined network-modes$/],
  [['--no-healthcheck', '--health-cmd', 'x', 'busybox'], /^--no-healthcheck conflicts with --health-\* options$/],
  [['--pid', 'bogus', 'busybox'], /^--pid: invalid PID mode$/],
  [['--expose', '80:80', 'busybox'], /^invalid port format for --expose: 80:80$/],
  [['--mac-address', 'zz', 'busybox'], /^zz is not a valid mac address$/],
  [['--security-opt', 'label', 'busybox'], /^Invalid --security-opt: "label"$/],
  [['--log-driver', 'none', '--log-opt', 'a=b', 'busybox'], /^invalid logging opts for driver none$/],
  [['--env-file', '/nonexistent/env', 'busybox'], /^open \/nonexistent\/env: no such file or directory$/],
];

for (const [argv, msg] of REFUSED) {
  test(`buildCreatePlan() refuses ${argv.slice(0, -1).join(' ')}`, () => assert.throws(() => build(argv), (e: unknown) => e instanceof Error && msg.test(e.message)));
}
