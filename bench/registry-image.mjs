// Write an OCI image layout of LAYERS uncompressed layers of MB_PER_LAYER random megabytes each, for
// bench/registry-server.sh:  node bench/registry-image.mjs <dir> [layers] [mb-per-layer]
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, layersArg = '4', mbArg = '50'] = process.argv.slice(2);
if (!dir) throw new Error('usage: node bench/registry-image.mjs <dir> [layers] [mb-per-layer]');
const blobs = join(dir, 'blobs/sha256');
mkdirSync(blobs, { recursive: true });
const put = (buf) => {
  const hex = createHash('sha256').update(buf).digest('hex');
  writeFileSync(join(blobs, hex), buf);
  return { digest: `sha256:${hex}`, size: buf.length };
};
/** A tar of one file of random bytes. */
function layerTar(name, size) {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(size.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const pad = (512 - (size % 512)) % 512;
  return Buffer.concat([header, randomBytes(size), Buffer.alloc(pad + 1024)]);
}
const layers = [];
const diffIds = [];
for (let i = 0; i < Number(layersArg); i++) {
  const tar = layerTar(`data-${i}`, Number(mbArg) << 20);
  const d = put(tar);
  layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...d });
  diffIds.push(d.digest);
}
const config = put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffIds } })));
const manifest = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers })));
writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] }));
writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
