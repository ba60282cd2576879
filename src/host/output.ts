import type { Readable } from 'node:stream';

/** A child's output stream, read to the end: what it delivered so far, and when it closed. */
export interface CollectedOutput {
  text(): string;
  closed: Promise<void>;
}

export function collectOutput(stream: Readable): CollectedOutput {
  const chunks: Buffer[] = [];
  stream.on('data', (b: Buffer) => chunks.push(b));
  stream.on('error', () => {});
  return { text: () => Buffer.concat(chunks).toString(), closed: new Promise((r) => stream.on('close', () => r())) };
}
