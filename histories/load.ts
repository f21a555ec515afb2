/**
 * Load a history from any supported source: our JSONL, a Jepsen EDN history, Jepsen log lines, or a stored
 * run (its directory, or a `latest` pointer). The format is told from the content, never from the file name.
 */
import { statSync } from 'node:fs';
import { readContent, readContentHead } from './compressed.js';
import { InputError } from './errors.js';
import { detectFormat, type HistoryFormat } from './jepsen/detect.js';
import { parseEdnHistory, streamEdnHistory } from './jepsen/edn-history.js';
import { parseJepsenLog, streamJepsenLog } from './jepsen/log-history.js';
import { textChunks, textLines } from './text-lines.js';
import { parseJsonHistory } from './jepsen/json-history.js';
import { readJsonl, streamJsonl } from './jsonl-reader.js';
import { fsInputError, resolveInput } from './input-file.js';
import { checkPairing } from './well-formed.js';
import type { Op } from './op.js';

export interface LoadedHistory {
  ops: Op[];
  warnings: string[];
  format: HistoryFormat;
  /** The file actually read (history.jsonl inside a run directory). */
  path: string;
}

export interface LoadOptions {
  /** Jepsen `:value [k v]` tuples: auto-detected unless forced. */
  independent?: boolean | 'auto';
}

const HEAD_BYTES = 64 * 1024;

async function readHead(path: string): Promise<string> {
  try {
    return await readContentHead(path, HEAD_BYTES);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw fsInputError(err, path);
  }
}

/** A history source opened and its format told, before any op is read: the caller chooses to load or stream it. */
export interface OpenedHistory {
  input: string;
  /** The file actually read (history.jsonl inside a run directory), or `-`. */
  path: string;
  /** undefined for an empty file. */
  format: HistoryFormat | undefined;
  /** Bytes of the source as stored (gzipped size for a gzipped file; the content's size when it was read whole). */
  bytes: number;
  data?: Buffer;
}

/** Resolve the input and tell its format from its head. Throws InputError when the format is none we read. */
export async function openHistory(input: string): Promise<OpenedHistory> {
  const { path, data } = await resolveInput(input);
  const head = data ? data.toString('utf8', 0, Math.min(data.length, HEAD_BYTES)) : await readHead(path);
  const bytes = data ? data.length : (statSync(path, { throwIfNoEntry: false })?.size ?? 0);
  if (head.trim() === '') return { input, path, format: undefined, bytes, data };
  const format = detectFormat(head);
  if (!format) {
    throw new InputError(
      `cannot tell the history format of ${path}: expected faultline JSONL, a Jepsen EDN history, a JSON array of Jepsen op maps, or jepsen.log lines`,
    );
  }
  return { input, path, format, bytes, data };
}

export async function loadHistory(input: string, opts: LoadOptions = {}): Promise<LoadedHistory> {
  return loadOpened(await openHistory(input), opts);
}

/** Read an opened history whole. */
export async function loadOpened(src: OpenedHistory, opts: LoadOptions = {}): Promise<LoadedHistory> {
  const { input, path, format, data } = src;
  if (format === undefined) {
    return { ops: [], warnings: [`${path}: the file is empty (a history with no ops)`], format: 'jsonl', path };
  }
  if (format === 'jsonl') {
    const { ops, warnings } = await readJsonl(path, { file: input, data });
    checkPairing(ops);
    return { ops, warnings, format, path };
  }
  let text: string;
  try {
    text = data ? data.toString('utf8') : readContent(path);
  } catch (err) {
    if (err instanceof InputError) throw err;
    // A file past the longest string V8 can hold lands here too.
    if ((err as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG') throw new InputError(`${input}: too large to read as one EDN or log text`);
    throw fsInputError(err, path);
  }
  const parse = format === 'edn' ? parseEdnHistory : format === 'json' ? parseJsonHistory : parseJepsenLog;
  const { ops, warnings } = parse(text, { independent: opts.independent ?? 'auto', file: input });
  checkPairing(ops);
  return { ops, warnings, format, path };
}

export interface StreamedHistory {
  /** Our JSONL, EDN and jepsen.log stream past once (they can be iterated only once); a JSON array arrives whole. */
  ops: AsyncIterable<Op> | Op[];
  /** Filled as the ops stream (a torn last line is only known at the end). */
  warnings: string[];
  format: HistoryFormat;
  path: string;
}

/**
 * As loadHistory, but a JSONL history (ours, and every stored run's), an EDN history or a jepsen.log is not
 * read into memory: its ops stream past once, for checkers that consume them op by op (EDN and logs are read
 * twice, see their readers). The caller checks the pairing (checkPairing) on what it keeps. A JSON history is
 * parsed whole, as loadHistory does: a JSON array is one value to lossless-json.
 */
export async function streamHistory(input: string, opts: LoadOptions = {}): Promise<StreamedHistory> {
  return streamOpened(await openHistory(input), opts);
}

/** Stream an opened history (see streamHistory). */
export async function streamOpened(src: OpenedHistory, opts: LoadOptions = {}): Promise<StreamedHistory> {
  const { input, path, data, format } = src;
  if (format === 'jsonl') {
    const warnings: string[] = [];
    return { ops: streamJsonl(path, { file: input, data, onWarning: (w) => warnings.push(w) }), warnings, format: 'jsonl', path };
  }
  if (format === 'jepsen-log') {
    // Read twice, holding no ops (see streamJepsenLog); the pairing is the consumer's to check, as for JSONL.
    const warnings: string[] = [];
    const ops = streamJepsenLog(() => textLines(path, data, input), { independent: opts.independent ?? 'auto', file: input }, (w) => warnings.push(...w));
    return { ops, warnings, format, path };
  }
  if (format === 'edn') {
    const warnings: string[] = [];
    const ops = streamEdnHistory(() => textChunks(path, data, input), { independent: opts.independent ?? 'auto', file: input }, (w) => warnings.push(...w));
    return { ops, warnings, format, path };
  }
  return loadOpened(src, opts);
}
