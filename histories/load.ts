/**
 * Load a history from any supported source: our JSONL, a Jepsen EDN history, Jepsen log lines, or a stored
 * run (its directory, or a `latest` pointer). The format is told from the content, never from the file name.
 */
import { statSync } from 'node:fs';
import { readContentHead } from './compressed.js';
import { InputError, type ReadGuard } from './errors.js';
import { detectFormat, type HistoryFormat } from './jepsen/detect.js';
import { parseEdnHistory, streamEdnHistory } from './jepsen/edn-history.js';
import { parseJepsenLog, streamJepsenLog } from './jepsen/log-history.js';
import { textChunks, textLines } from './text-lines.js';
import { parseJsonHistory, streamJsonHistory } from './jepsen/json-history.js';
import { readJsonl, streamJsonl } from './jsonl-reader.js';
import { fsInputError, READ_WHOLE_BYTES, resolveInput } from './input-file.js';
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
  /**
   * Looks at the process's memory as the history is read (every chunk of about 1 MB, and every few thousand
   * ops): it throws ReadLimitError past the budget, so a history too big to hold stops the read instead of the
   * process. Without one, nothing is watched.
   */
  guard?: ReadGuard;
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
export async function openHistory(input: string, guard?: ReadGuard): Promise<OpenedHistory> {
  const { path, data } = await resolveInput(input, guard);
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
  return loadOpened(await openHistory(input, opts.guard), opts);
}

/**
 * Read an opened history whole. Content already in memory and small (up to READ_WHOLE_BYTES) is parsed as one
 * text; anything larger is collected from its stream (see streamOpened), so that no format is ever held as
 * one string (V8's longest is ~512 MB) and the guard watches memory all along. EDN and JSON are then read
 * once, holding their raw op maps until each op is built; jepsen.log twice (see streamOpened). No text or
 * parsed tree of the whole is ever held beside the ops.
 */
export async function loadOpened(src: OpenedHistory, opts: LoadOptions = {}): Promise<LoadedHistory> {
  const { input, path, format, data } = src;
  if (format === undefined) {
    return { ops: [], warnings: [`${path}: the file is empty (a history with no ops)`], format: 'jsonl', path };
  }
  if (format === 'jsonl') {
    const { ops, warnings } = await readJsonl(path, { file: input, data, guard: opts.guard });
    checkPairing(ops);
    return { ops, warnings, format, path };
  }
  if (data === undefined || data.length > READ_WHOLE_BYTES) {
    const streamed = await streamOpened(src, opts, true);
    const ops: Op[] = [];
    for await (const op of streamed.ops) ops.push(op);
    checkPairing(ops);
    return { ops, warnings: streamed.warnings, format, path };
  }
  const text = data.toString('utf8');
  const parse = format === 'edn' ? parseEdnHistory : format === 'json' ? parseJsonHistory : parseJepsenLog;
  const { ops, warnings } = parse(text, { independent: opts.independent ?? 'auto', file: input });
  // Parsed in one step, unwatched (a few MB of text: tens of MB at most); looked at once it is done.
  opts.guard?.();
  checkPairing(ops);
  return { ops, warnings, format, path };
}

export interface StreamedHistory {
  /** The ops stream past once (they can be iterated only once). */
  ops: AsyncIterable<Op>;
  /** Filled as the ops stream (a torn last line is only known at the end). */
  warnings: string[];
  format: HistoryFormat;
  path: string;
}

/**
 * As loadHistory, but the history is not read into memory: its ops stream past once, for checkers that consume
 * them op by op (EDN, JSON arrays and logs are read twice, see their readers). The caller checks the pairing
 * (checkPairing) on what it keeps.
 */
export async function streamHistory(input: string, opts: LoadOptions = {}): Promise<StreamedHistory> {
  return streamOpened(await openHistory(input, opts.guard), opts);
}

/**
 * Stream an opened history (see streamHistory). `once`: for a caller that keeps every op (loadOpened), EDN and
 * JSON are read once, holding their raw op maps until the end, not twice holding nothing (jepsen.log is read
 * twice either way: its first pass also learns the earliest timestamp).
 */
export async function streamOpened(src: OpenedHistory, opts: LoadOptions = {}, once = false): Promise<StreamedHistory> {
  const { input, path, data, format } = src;
  const guard = opts.guard;
  const warnings: string[] = [];
  if (format === undefined) {
    warnings.push(`${path}: the file is empty (a history with no ops)`);
    return { ops: (async function* () {})(), warnings, format: 'jsonl', path };
  }
  if (format === 'jsonl') {
    return { ops: streamJsonl(path, { file: input, data, guard, onWarning: (w) => warnings.push(w) }), warnings, format, path };
  }
  const jepsen = { independent: opts.independent ?? 'auto', file: input };
  const onWarnings = (w: string[]): void => {
    warnings.push(...w);
  };
  // Each is read twice, holding no ops (see their readers); the pairing is the consumer's to check, as for JSONL.
  const ops =
    format === 'jepsen-log'
      ? streamJepsenLog(() => textLines(path, data, input, guard), jepsen, onWarnings)
      : format === 'edn'
        ? streamEdnHistory(() => textChunks(path, data, input, guard), jepsen, onWarnings, once)
        : streamJsonHistory(() => textChunks(path, data, input, guard), jepsen, onWarnings, once);
  return { ops, warnings, format, path };
}
