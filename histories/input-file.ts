/**
 * Where a history comes from: a regular file (streamed), or anything that cannot be seeked — `-` for standard
 * input, a pipe (`check <(cat h.jsonl)`), a character device — which is read whole into memory first. Every
 * file-system error becomes an InputError that says what is wrong with the path, never a bare errno.
 */
import { constants as bufferConstants } from 'node:buffer';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError, ReadLimitError, type ReadGuard } from './errors.js';

export interface InputSource {
  /** The file actually read (history.jsonl inside a run directory), or `-` for standard input. */
  path: string;
  /**
   * The whole content (gunzipped): when the source cannot be read twice (stdin, a pipe, a device), and for a
   * small file, which one read costs less than streaming its head for the format and then reading it again.
   */
  data?: Buffer;
}

/** Files up to this size are read whole at once (see InputSource.data); larger ones are streamed. */
export const READ_WHOLE_BYTES = 4 << 20;

/** What a failed file-system call on `path` means for the user. */
export function fsInputError(err: unknown, path: string): InputError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new InputError(`no such file or directory: ${path}`);
    case 'ELOOP':
      return new InputError(`${path}: too many levels of symbolic links (a symlink loop?)`);
    case 'EACCES':
    case 'EPERM':
      return new InputError(`${path}: permission denied`);
    case 'ENOTDIR':
      return new InputError(`${path}: a component of the path is not a directory`);
    case 'EISDIR':
      return new InputError(`${path} is a directory`);
    case 'ENAMETOOLONG':
      return new InputError(`${path.slice(0, 60)}...: the path is too long`);
    default:
      return new InputError(`${path}: cannot read it (${(err as Error).message ?? String(err)})`);
  }
}

const isGzip = (b: Buffer): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** A small gzipped file is gunzipped whole only up to this size; one that expands past it is streamed instead. */
const GUNZIP_WHOLE_BYTES = 64 << 20;

/**
 * Gunzipped content, or undefined when it would pass `max` bytes (only with a max; without one, past the
 * longest Buffer it is an InputError naming what to do instead).
 */
function gunzipData(data: Buffer, path: string, max?: number): Buffer | undefined {
  try {
    return gunzipSync(data, { maxOutputLength: max ?? bufferConstants.MAX_LENGTH });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      if (max !== undefined) return undefined;
      throw new InputError(
        `the gzipped content is larger than ${bufferConstants.MAX_LENGTH / 2 ** 30} GiB gunzipped, more than one read can hold: give it as a file (a file is streamed), not through a pipe`,
        undefined,
        path,
      );
    }
    throw new InputError(`the gzipped content is damaged: ${(err as Error).message}`, undefined, path);
  }
}

/** Everything a pipe gives, watched by the guard as it comes; what one Buffer cannot hold is refused. */
async function readAll(chunks: AsyncIterable<Buffer | string>, path: string, guard?: ReadGuard): Promise<Buffer> {
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of chunks) {
    guard?.();
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += b.length;
    if (bytes > bufferConstants.MAX_LENGTH) {
      throw new InputError(
        `more than ${bufferConstants.MAX_LENGTH / 2 ** 30} GiB through a pipe, more than one read can hold: give the history as a file (a file is streamed)`,
        undefined,
        path,
      );
    }
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** Content read whole, gunzipped when it is gzipped. */
function whole(path: string, data: Buffer): InputSource {
  return { path, data: isGzip(data) ? gunzipData(data, path) : data };
}

/**
 * Resolve a command-line history argument; a run directory stands for its history.jsonl. `guard` watches memory
 * while a pipe is read whole (see LoadOptions.guard).
 */
export async function resolveInput(input: string, guard?: ReadGuard): Promise<InputSource> {
  if (input === '-') return whole('-', await readAll(process.stdin as AsyncIterable<Buffer | string>, '-', guard));
  // Synchronous calls: the files of one `check` are read one after the other anyway, and a promise's round
  // trip through the thread pool costs more than the call.
  let st;
  try {
    st = statSync(input);
  } catch (err) {
    throw fsInputError(err, input);
  }
  if (st.isDirectory()) {
    // history.jsonl.gz once the run is archived.
    for (const name of ['history.jsonl', 'history.jsonl.gz']) {
      const inner = join(input, name);
      if (statSync(inner, { throwIfNoEntry: false })?.isFile()) return { path: inner };
    }
    throw new InputError(`${input} is a directory without a history.jsonl (is it a faultline run directory?)`);
  }
  if (st.isFile()) {
    if (st.size > READ_WHOLE_BYTES) return { path: input };
    let data;
    try {
      data = readFileSync(input);
    } catch (err) {
      throw fsInputError(err, input);
    }
    // A small archive can hold a big history: past GUNZIP_WHOLE_BYTES it is streamed like a big file.
    if (!isGzip(data)) return { path: input, data };
    const gunzipped = gunzipData(data, input, GUNZIP_WHOLE_BYTES);
    return gunzipped ? { path: input, data: gunzipped } : { path: input };
  }
  // A pipe or a device: one read, kept in memory, because the format is told from the head and then the
  // whole content is parsed.
  let data;
  try {
    data = await readAll(createReadStream(input), input, guard);
  } catch (err) {
    if (err instanceof InputError || err instanceof ReadLimitError) throw err;
    throw fsInputError(err, input);
  }
  return whole(input, data);
}
