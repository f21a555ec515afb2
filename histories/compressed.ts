/**
 * Gzipped history files: a finished run's history is stored as history.jsonl.gz, and every reader takes a
 * plain or a gzipped file alike. Whether a file is gzipped is told from its first two bytes (the gzip magic),
 * never from its name.
 */
import { createReadStream, createWriteStream, openSync, readSync, closeSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable } from 'node:stream';
import { InputError } from './errors.js';
import { createGunzip, createGzip, gunzipSync, constants } from 'node:zlib';

const MAGIC = [0x1f, 0x8b];

export function isGzipFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === MAGIC[0] && b[1] === MAGIC[1];
  } finally {
    closeSync(fd);
  }
}

/** A byte stream of the file's content, gunzipped when it is gzipped. */
export function openContentStream(path: string, highWaterMark = 1 << 20): Readable {
  const raw = createReadStream(path, { highWaterMark });
  if (!isGzipFile(path)) return raw;
  const gunzip = createGunzip({ chunkSize: 1 << 16 });
  const out = new PassThrough({ highWaterMark });
  raw.on('error', (err) => out.destroy(err));
  // A damaged archive is bad input, named as such, not a harness failure.
  gunzip.on('error', (err) => out.destroy(new InputError(`the gzipped content is damaged: ${err.message}`, undefined, path)));
  out.on('close', () => {
    raw.destroy();
    gunzip.destroy();
  });
  return raw.pipe(gunzip).pipe(out);
}

/** The whole content as text. */
export function readContent(path: string): string {
  const buf = readFileSync(path);
  if (buf[0] !== MAGIC[0] || buf[1] !== MAGIC[1]) return buf.toString('utf8');
  try {
    return gunzipSync(buf).toString('utf8');
  } catch (err) {
    throw new InputError(`the gzipped content is damaged: ${(err as Error).message}`, undefined, path);
  }
}

/** The first `bytes` bytes of the content (fewer if the content is shorter). */
export async function readContentHead(path: string, bytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let got = 0;
  const s = openContentStream(path, Math.min(bytes, 1 << 16));
  try {
    for await (const c of s as AsyncIterable<Buffer>) {
      chunks.push(c);
      got += c.length;
      if (got >= bytes) break;
    }
  } finally {
    s.destroy();
  }
  return Buffer.concat(chunks).subarray(0, bytes).toString('utf8');
}

/** Gzip `src` into `src + '.gz'` (through a temporary file) and remove `src`. Returns the new path. */
export async function gzipInPlace(src: string): Promise<string> {
  const dest = `${src}.gz`;
  const tmp = `${dest}.tmp`;
  await pipeline(createReadStream(src), createGzip({ level: constants.Z_DEFAULT_COMPRESSION }), createWriteStream(tmp));
  renameSync(tmp, dest);
  rmSync(src);
  return dest;
}
