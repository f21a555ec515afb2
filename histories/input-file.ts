/**
 * Where a history comes from: a regular file (streamed), or anything that cannot be seeked — `-` for standard
 * input, a pipe (`check <(cat h.jsonl)`), a character device — which is read whole into memory first. Every
 * file-system error becomes an InputError that says what is wrong with the path, never a bare errno.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from './errors.js';

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

function gunzipData(data: Buffer, path: string): Buffer {
  try {
    return gunzipSync(data);
  } catch (err) {
    throw new InputError(`the gzipped content is damaged: ${(err as Error).message}`, undefined, path);
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Resolve a command-line history argument; a run directory stands for its history.jsonl. */
export async function resolveInput(input: string): Promise<InputSource> {
  if (input === '-') {
    const data = await readStdin();
    return { path: '-', data: isGzip(data) ? gunzipData(data, input) : data };
  }
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
    return { path: input, data: isGzip(data) ? gunzipData(data, input) : data };
  }
  // A pipe or a device: one read, kept in memory, because the format is told from the head and then the
  // whole content is parsed.
  try {
    const data = await readFile(input);
    return { path: input, data: isGzip(data) ? gunzipData(data, input) : data };
  } catch (err) {
    throw fsInputError(err, input);
  }
}
