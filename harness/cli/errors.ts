/**
 * How the CLI ends: every path out goes through here, so the exit code always means what the README says
 * (0 valid, 1 invalid, 2 unknown, 254 bad arguments or input, 255 the harness failed) and no stack trace
 * reaches a user unless FAULTLINE_DEBUG asks for one.
 */
import { InputError } from '../../histories/errors.js';
import { EXIT } from '../../checkers/result.js';

export function exitCodeForError(err: unknown): number {
  const explicit = (err as { exitCode?: unknown } | undefined)?.exitCode;
  if (typeof explicit === 'number') return explicit;
  if (err instanceof InputError) return EXIT.badInput;
  const code = (err as { code?: string } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) return EXIT.badInput;
  return EXIT.harness;
}

export function describeError(err: unknown): string {
  if (err instanceof InputError) return err.describe();
  if (err instanceof Error) {
    if (process.env.FAULTLINE_DEBUG) return err.stack ?? err.message;
    return err.message;
  }
  return String(err);
}
