/**
 * Load a history from any supported source: our JSONL, a Jepsen EDN history, Jepsen log lines, or a stored
 * run (its directory, or a `latest` pointer). The format is told from the content, never from the file name.
 */
import { stat } from 'node:fs/promises';
import { readContent, readContentHead } from './compressed.js';
import { join } from 'node:path';
import { InputError } from './errors.js';
import { detectFormat, type HistoryFormat } from './jepsen/detect.js';
import { parseEdnHistory } from './jepsen/edn-history.js';
import { parseJepsenLog } from './jepsen/log-history.js';
import { readJsonl } from './jsonl-reader.js';
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

/** A run directory stands for its history.jsonl (or history.jsonl.gz, once the run is archived). */
async function resolveHistoryPath(path: string): Promise<string> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new InputError(`no such file or directory: ${path}`);
  }
  if (st.isDirectory()) {
    for (const name of ['history.jsonl', 'history.jsonl.gz']) {
      const inner = join(path, name);
      if (await stat(inner).then(() => true, () => false)) return inner;
    }
    throw new InputError(`${path} is a directory without a history.jsonl (is it a faultline run directory?)`);
  }
  return path;
}

function readHead(path: string): Promise<string> {
  return readContentHead(path, HEAD_BYTES);
}

export async function loadHistory(input: string, opts: LoadOptions = {}): Promise<LoadedHistory> {
  const path = await resolveHistoryPath(input);
  const head = await readHead(path);
  if (head.trim() === '') {
    return { ops: [], warnings: [`${path}: the file is empty (a history with no ops)`], format: 'jsonl', path };
  }
  const format = detectFormat(head);
  if (!format) {
    throw new InputError(
      `cannot tell the history format of ${path}: expected faultline JSONL, a Jepsen EDN history, or jepsen.log lines`,
    );
  }
  if (format === 'jsonl') {
    const { ops, warnings } = await readJsonl(path, { file: input });
    return { ops, warnings, format, path };
  }
  const text = readContent(path);
  const parse = format === 'edn' ? parseEdnHistory : parseJepsenLog;
  const { ops, warnings } = parse(text, { independent: opts.independent ?? 'auto', file: input });
  return { ops, warnings, format, path };
}
