import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { errnoCode, InvalidArgumentError } from '../../base/index.js';

/** TLS material for one registry host: the system CAs plus certs.d's. */
export interface TlsMaterial {
  ca: string[];
  cert?: Buffer;
  key?: Buffer;
}

/** Where distributions keep the system's CA bundle (Debian's first). */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'];
let systemCas: Promise<string[]> | undefined;

/** Node's own roots plus the system bundle (an explicit `ca` replaces Node's default store, NODE_EXTRA_CA_CERTS included). */
function systemRoots(): Promise<string[]> {
  systemCas ??= (async () => {
    for (const f of SYSTEM_BUNDLES) {
      try {
        return [...rootCertificates, await readFile(f, 'utf8')];
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') throw e;
      }
    }
    return [...rootCertificates];
  })();
  return systemCas;
}

/**
 * Docker's certs.d layout: `<root>/<host:port>/` holds `*.crt` (CAs added to the system's and Node's),
 * and `<name>.cert` with `<name>.key` (a client certificate). Every root is read, in order.
 */
export async function tlsMaterialFor(host: string, roots: readonly string[]): Promise<TlsMaterial> {
  const out: TlsMaterial = { ca: [...(await systemRoots())] };
  if (host.includes('/') || host.startsWith('.')) return out; // never a path outside the roots
  for (const root of roots) {
    const dir = join(root, host);
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') continue;
      throw e;
    }
    for (const n of names) {
      if (n.endsWith('.crt')) out.ca.push(await readFile(join(dir, n), 'utf8'));
      else if (n.endsWith('.cert')) {
        const keyName = `${n.slice(0, -'.cert'.length)}.key`;
        if (!names.includes(keyName)) throw new InvalidArgumentError(`missing key ${keyName} for client certificate ${n}. CA certificates must use the extension .crt`);
        out.cert = await readFile(join(dir, n));
        out.key = await readFile(join(dir, keyName));
      } else if (n.endsWith('.key') && !names.includes(`${n.slice(0, -'.key'.length)}.cert`)) {
        throw new InvalidArgumentError(`missing client certificate ${n.slice(0, -'.key'.length)}.cert for key ${n}`);
      }
    }
  }
  return out;
}
