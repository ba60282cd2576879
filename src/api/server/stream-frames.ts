/** Docker's multiplexed stream frame: [stream, 0, 0, 0, size uint32 BE] + payload. */
export function frame(stream: 0 | 1 | 2, payload: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}
