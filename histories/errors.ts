/**
 * Bad input from outside (a malformed history, a bad flag, an unreadable config). The CLI turns it into a
 * one-line message and exit code 254; anything else that escapes is a harness failure (255).
 */
export class InputError extends Error {
  constructor(
    message: string,
    /** 1-based line number in the input, when the problem has one. */
    readonly line?: number,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }

  /** "history.jsonl:12: expected ..." — the form editors and terminals link to. */
  describe(): string {
    const where = [this.file, this.line].filter((x) => x !== undefined).join(':');
    return where ? `${where}: ${this.message}` : this.message;
  }
}

/**
 * A read stopped by a resource limit (the process's memory budget), not by anything wrong with the input: the
 * CLI answers `unknown` with this reason (exit 2), as a search that reaches its budget does.
 */
export class ReadLimitError extends Error {
  /** A command that ends on it (convert, report) exits 2, as an `unknown` check does: not bad input, not a crash. */
  readonly exitCode = 2;
  constructor(reason: string) {
    super(reason);
    this.name = 'ReadLimitError';
  }
}

/**
 * Called by the readers every chunk of input (about 1 MB) and every few thousand ops: throws ReadLimitError when
 * the process is past its budget. Given by the caller, so that histories/ needs nothing of the checkers' memory
 * accounting; it must be cheap (the CLI's looks at resident memory at most every few milliseconds).
 */
export type ReadGuard = () => void;
