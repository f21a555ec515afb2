/**
 * The lines of a text history, one at a time, split at \n exactly as
 * `text.split('\n')` splits the whole text: for readers of line-based formats that must not hold the file.
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { openContentStream } from './compressed.js';
import { InputError, ReadLimitError, type ReadGuard } from './errors.js';
import { fsInputError } from './input-file.js';
import { MAX_LINE_BYTES } from './jsonl-reader.js';

/** Content already in memory, in pieces of the size a file is streamed in, so the guard sees it go by. */
function* pieces(data: Buffer): Generator<Buffer> {
  for (let at = 0; at < data.length; at += PIECE_BYTES) yield data.subarray(at, at + PIECE_BYTES);
}
const PIECE_BYTES = 1 << 20;

function contentStream(path: string, data: Buffer | undefined): Readable {
  return data ? Readable.from(pieces(data)) : openContentStream(path);
}

/** The text of a history (plain or gzipped, or content already read) in pieces, decoded across chunk edges. */
export async function* textChunks(path: string, data: Buffer | undefined, file: string, guard?: ReadGuard): AsyncGenerator<string> {
  const stream = contentStream(path, data);
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      guard?.();
      yield decoder.write(chunk);
    }
  } catch (err) {
    if (err instanceof InputError || err instanceof ReadLimitError) throw err;
    throw fsInputError(err, file);
  } finally {
    stream.destroy();
  }
  yield decoder.end();
}

export async function* textLines(path: string, data: Buffer | undefined, file: string, guard?: ReadGuard): AsyncGenerator<string> {
  // The start of a line that goes on in the next chunk, as pieces: joined once when the line ends, so a long
  // line costs its length, not its length times the chunks it spans.
  let carry: string[] = [];
  let carryLength = 0;
  let lineNo = 0;
  for await (const text of textChunks(path, data, file, guard)) {
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      lineNo++;
      if (carry.length === 0) yield text.slice(start, nl);
      else {
        carry.push(text.slice(start, nl));
        const line = carry.join('');
        carry = [];
        carryLength = 0;
        yield line;
      }
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) {
      carry.push(start === 0 ? text : text.slice(start));
      carryLength += text.length - start;
      if (carryLength > MAX_LINE_BYTES) throw new InputError(`line is longer than ${MAX_LINE_BYTES >> 20} MiB (no history op is; is this a history?)`, lineNo + 1, file);
    }
  }
  yield carry.join('');
}
