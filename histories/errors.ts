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
