import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { exec } from '../../host/index.js';
import { writeTar } from '../archive/index.js';
import { tarBuffer, file } from '../archive/tar-fixtures.js';
import { busyboxArchive, busyboxRootfsTar } from '../../mkimage/index.js';
import { ImageService } from './image-service.js';
import { collect } from './store-fixtures.js';

const DOCKERD = '/usr/sbin/dockerd';
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : '/usr/local/bin/docker';
const skip = !existsSync(DOCKERD) ? 'needs docker.io (dockerd)' : process.getuid?.() !== 0 ? 'needs root' : !existsSync('/usr/bin/busybox') ? 'needs busybox-static' : false;

async function bufferOf(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** The host's network links, but for those tests running beside this one make and delete (berth's bridges, veths, taps). */
async function hostLinks(): Promise<string[]> {
  const out = (await exec('ip', ['-o', 'link', 'show'])).stdout;
  return [...out.matchAll(/^\d+: ([^:@]+)[:@]/gm)].map((m) => m[1]!).filter((l) => !/^(veth|bt|bk|berth)/.test(l));
}

/**
 * A private dockerd on its own socket, data root, exec root and bridge; stopped by stop(). With
 * `--bridge none` dockerd deletes the host's docker0 (and with it a Docker already running there),
 * so it gets a bridge of its own, made here and deleted by stop(), and is told to leave iptables
 * and ip_forward alone.
 */
async function startDockerd(dir: string): Promise<{ docker: (args: string[], stdin?: Uint8Array) => Promise<string>; stop: () => Promise<void>; bridge: string }> {
  const sock = join(dir, 'dk.sock');
  const bridge = `bkd${randomBytes(4).toString('hex')}`;
  await exec('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
  // A /30 in TEST-NET-2 (RFC 5737): routes nothing the host uses; containers here run with --network none.
  await exec('ip', ['addr', 'add', `198.51.100.${4 * randomInt(1, 63) + 1}/30`, 'dev', bridge]);
  const args = [`--host unix://${sock}`, `--data-root ${join(dir, 'root')}`, `--exec-root ${join(dir, 'exec')}`, `--pidfile ${join(dir, 'dk.pid')}`,
    `--bridge ${bridge}`, '--iptables=false', '--ip-masq=false', '--ip-forward=false'];
  const r = await exec('/bin/sh', ['-c', `${DOCKERD} ${args.join(' ')} > ${join(dir, 'dockerd.log')} 2>&1 & echo $!`]);
  const pid = Number(r.stdout.trim());
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}` };
  const docker = async (a: string[], stdin?: Uint8Array): Promise<string> => (await exec(DOCKER, a, { env, stdin })).stdout;
  const alive = (): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
  const stop = async (): Promise<void> => {
    if (alive()) {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 30_000;
      while (alive() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
      if (alive()) process.kill(pid, 'SIGKILL');
    }
    await exec('ip', ['link', 'del', bridge], { allowFailure: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await exec(DOCKER, ['version', '--format', '{{.Server.Version}}'], { env, allowFailure: true });
    if (v.code === 0) break;
    if (!alive() || Date.now() > deadline) {
      await stop();
      throw new Error(`dockerd did not start: ${await readFile(join(dir, 'dockerd.log'), 'utf8').catch(() => '')}`);
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  return { docker, stop, bridge };
}

test('images move between real dockerd and berth with the same IDs, both ways', { skip, timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-dockerd-'));
  let d: Awaited<ReturnType<typeof startDockerd>> | undefined;
  try {
    const linksBefore = await hostLinks();
    d = await startDockerd(dir);
    // dockerd's default network is the bridge made for it, and no link of the host went away
    assert.equal((await d.docker(['network', 'inspect', '-f', '{{index .Options "com.docker.network.bridge.name"}}', 'bridge'])).trim(), d.bridge);
    const linksAfter = await hostLinks();
    assert.deepEqual(linksBefore.filter((l) => !linksAfter.includes(l)), [], 'links of the host that dockerd deleted');
    const images = await ImageService.open({ root: join(dir, 'berth') });

    // docker → berth: an image imported into dockerd, saved by docker, loaded by berth
    const rootfs = await bufferOf(writeTar((await busyboxRootfsTar()).tar));
    await d.docker(['import', '--change', 'CMD ["sh"]', '-', 'compat/from-docker:1'], rootfs);
    const dockerChildTar = await tarBuffer([file('etc/.wh.group', ''), file('hello', 'from docker')]);
    await d.docker(['import', '-', 'compat/second:1'], dockerChildTar);
    const dockerId = (await d.docker(['image', 'inspect', '--format', '{{.Id}}', 'compat/from-docker:1'])).trim();
    await d.docker(['save', '-o', join(dir, 'from-docker.tar'), 'compat/from-docker:1', 'compat/second:1']);
    await collect(images.load(createReadStream(join(dir, 'from-docker.tar'))));
    assert.equal(images.get('compat/from-docker:1').id, dockerId);
    assert.equal(images.get('compat/second:1').id, (await d.docker(['image', 'inspect', '--format', '{{.Id}}', 'compat/second:1'])).trim());

    // berth → docker: berth's busybox plus a child with a whiteout, saved by berth, loaded by docker
    const archive = await busyboxArchive({ tag: 'berth/busybox:1' });
    await collect(images.load(archive.stream)).finally(archive.done);
    const bb = images.get('berth/busybox:1');
    const child = await images.commit({ parent: bb.id, diff: Readable.from([await tarBuffer([file('etc/.wh.group', ''), file('greeting', 'hi')])]), config: { Cmd: ['cat', '/greeting'] }, repoTag: 'berth/child:1' });
    const out = createWriteStream(join(dir, 'from-berth.tar'));
    await images.save(['berth/busybox:1', 'berth/child:1'], out);
    const loaded = await d.docker(['load', '-i', join(dir, 'from-berth.tar')]);
    assert.match(loaded, /Loaded image: berth\/busybox:1/);
    assert.equal((await d.docker(['image', 'inspect', '--format', '{{.Id}}', 'berth/busybox:1'])).trim(), bb.id);
    // and it runs there: every applet (a hardlink) stays executable under Docker's extractor
    assert.equal((await d.docker(['run', '--rm', '--network', 'none', 'berth/busybox:1', 'sh', '-c', 'echo ran in dockerd'])).trim(), 'ran in dockerd');
    assert.equal((await d.docker(['image', 'inspect', '--format', '{{.Id}}', 'berth/child:1'])).trim(), child.id);
    assert.equal(Number((await d.docker(['image', 'inspect', '--format', '{{.Size}}', 'berth/busybox:1'])).trim()), bb.size);
  } finally {
    await d?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
