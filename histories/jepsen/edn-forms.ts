/**
 * Cuts an EDN history into its op forms, each with the 1-based line it starts on, without building any values.
 *
 * edn-data parses a whole string at once and forgives a lot (a `]` closing a `{`, a map with a key but no value),
 * and it cannot say where in a 50 MB file a problem is. So this pass only tracks delimiters, strings, comments
 * and character literals: enough to find form boundaries, report unbalanced or mismatched brackets and odd maps
 * by line, and hand each op form to edn-data separately (which also keeps memory per form small).
 *
 * Two shapes are accepted: one top-level vector (or list) of op forms, or op forms one after another (Jepsen's
 * history.edn). Anything at the top level after a history vector is an error.
 */
import { InputError } from '../errors.js';
import { HEX_INT } from './edn-values.js';

export interface OpForm {
  text: string;
  /** 1-based line where the form starts. */
  line: number;
}

export type HistoryShape = 'vector' | 'sequence' | 'empty';

interface Frame {
  open: string;
  line: number;
  isSet: boolean;
  /** Elements completed so far (maps need an even count). */
  count: number;
  /** `#tag` or `#_` seen; the next element belongs to it. */
  prefixed: boolean;
  /** How many upcoming elements `#_` removes. */
  discards: number;
}

const CLOSER_OF: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

const enum C {
  NL = 10,
  CR = 13,
  TAB = 9,
  SPACE = 32,
  COMMA = 44,
  QUOTE = 34,
  SEMI = 59,
  BACKSLASH = 92,
  LPAREN = 40,
  RPAREN = 41,
  LBRACK = 91,
  RBRACK = 93,
  LBRACE = 123,
  RBRACE = 125,
  HASH = 35,
}

function isSpace(c: number): boolean {
  return c === C.SPACE || c === C.NL || c === C.COMMA || c === C.TAB || c === C.CR;
}

function isDelimiter(c: number): boolean {
  return (
    isSpace(c) ||
    c === C.SEMI ||
    c === C.QUOTE ||
    c === C.LPAREN ||
    c === C.RPAREN ||
    c === C.LBRACK ||
    c === C.RBRACK ||
    c === C.LBRACE ||
    c === C.RBRACE
  );
}

/** A bare token beginning with a digit that is not a number EDN knows (e.g. `12x`): edn-data would call it a symbol. */
const NUMBERISH = /^[-+]?[0-9]/;
/** Exactly the integer, bigint and float forms edn-data turns into numbers. */
const NUMBER = /^[-+]?(?:0|[1-9][0-9]*)(?:N|(?:\.[0-9]+)?(?:[eE][-+]?(?:0|[1-9][0-9]*))?M?)$/;

/**
 * Walk `text`, calling `onForm` for every op form in order. Returns the shape found. Throws InputError (with the
 * line) on unbalanced or mismatched delimiters, an unterminated string, an odd map, or stray top-level content.
 */
export function scanOpForms(text: string, file: string | undefined, onForm: (form: OpForm) => void): HistoryShape {
  const s = new OpFormScanner(file, onForm);
  s.feed(text, true);
  return s.shape;
}

/**
 * scanOpForms over text that arrives in pieces (a file read as it streams): `feed` each piece, the last with
 * `final`. Only the current op form and an unfinished token, string or comment are kept between pieces.
 */
export class OpFormScanner {
  shape = 'empty' as HistoryShape;
  private readonly root: Frame = { open: '', line: 1, isSet: false, count: 0, prefixed: false, discards: 0 };
  private readonly stack: Frame[] = [this.root];
  /** Depth whose elements are op forms: 1 inside a history vector, 0 for a sequence of forms. */
  private opDepth = -1;
  private historyClosed = false;
  private formStart = -1;
  private formLine = 0;
  private line = 1;
  /** The last string that ran over several lines: the usual cause when brackets stop balancing. */
  private multilineStringAt = 0;
  private tokenStart = -1;
  private tokenLine = 0;
  /**
   * Inside a string that the text so far does not finish: where its scan goes on (past the end of the text
   * when the last character was a backslash), so a long string is scanned once, not again with every piece.
   */
  private stringResume = -1;
  /** Unscanned text starts here in `text`. */
  private i = 0;
  private text = '';

  constructor(
    private readonly file: string | undefined,
    private readonly onForm: (form: OpForm) => void,
  ) {}

  private fail(message: string, line: number): never {
    throw new InputError(message, line, this.file);
  }

  private hint(): string {
    return this.multilineStringAt ? ` (a string starting at line ${this.multilineStringAt} runs over several lines: is a quote missing?)` : '';
  }

  private beginElement(pos: number): void {
    const depth = this.stack.length - 1;
    if (depth === 0) {
      if (this.historyClosed) this.fail(`unexpected content after the end of the history vector${this.hint()}`, this.line);
      if (this.opDepth < 0) {
        const c = this.text.charCodeAt(pos);
        if (c === C.LBRACK || c === C.LPAREN) {
          this.shape = 'vector';
          this.opDepth = 1;
          return;
        }
        this.shape = 'sequence';
        this.opDepth = 0;
      }
    }
    if (depth === this.opDepth && this.formStart < 0) {
      this.formStart = pos;
      this.formLine = this.line;
    }
  }

  /** An element finished at the current top frame; `end` is the offset just past it. */
  private completeElement(end: number, isPrefix: boolean, isDiscard: boolean): void {
    const frame = this.stack[this.stack.length - 1];
    if (isPrefix) {
      frame.prefixed = true;
      if (isDiscard) frame.discards++;
      return;
    }
    frame.prefixed = false;
    if (frame.discards > 0) frame.discards--;
    else frame.count++;
    const depth = this.stack.length - 1;
    if (depth === this.opDepth && this.formStart >= 0) {
      this.onForm({ text: this.text.slice(this.formStart, end), line: this.formLine });
      this.formStart = -1;
    } else if (depth === 0 && this.shape === 'vector') {
      this.historyClosed = true;
    }
  }

  private endToken(start: number, end: number, tokenLine: number): void {
    const token = this.text.slice(start, end);
    if (token.startsWith('##')) this.fail(`EDN symbolic value "${token}" has no JSON equivalent`, tokenLine);
    if (token.charCodeAt(0) === C.HASH) {
      // `#_x` written without a space discards x itself; `#_` alone discards the next element.
      if (token.startsWith('#_') && token.length > 2) return;
      this.completeElement(end, true, token === '#_');
      return;
    }
    if (NUMBERISH.test(token) && !NUMBER.test(token) && !HEX_INT.test(token)) this.fail(`malformed number "${token}"`, tokenLine);
    this.completeElement(end, false, false);
  }

  /** Scan `piece`; `final` when no more text follows (then the history must be complete). */
  feed(piece: string, final: boolean): void {
    // Keep only what is still needed: the current form, an unfinished token, and one character before the scan
    // position (a `{` looks back for the `#` of a set).
    let keep = Math.max(0, this.i - 1);
    if (this.formStart >= 0) keep = Math.min(keep, this.formStart);
    if (this.tokenStart >= 0) keep = Math.min(keep, this.tokenStart);
    if (keep > 0) {
      this.text = this.text.slice(keep);
      this.i -= keep;
      if (this.formStart >= 0) this.formStart -= keep;
      if (this.tokenStart >= 0) this.tokenStart -= keep;
      if (this.stringResume >= 0) this.stringResume -= keep;
    }
    if (this.stringResume >= 0 && !final) {
      // Inside a string: when this piece does not end it either, it is only appended, never read, so the text
      // stays a rope and a long string is copied once when it ends, not once with every piece.
      let k = this.stringResume - this.text.length; // 1 when the last piece ended with a backslash
      for (; k < piece.length; k++) {
        const d = piece.charCodeAt(k);
        if (d === C.BACKSLASH) k++;
        else if (d === C.QUOTE) break;
      }
      if (k >= piece.length) {
        this.stringResume = this.text.length + k;
        this.text += piece;
        return;
      }
    }
    this.text += piece;
    const text = this.text;
    const stack = this.stack;
    const n = text.length;
    let i = this.i;
    scan: while (i < n) {
      const c = text.charCodeAt(i);
      if (this.tokenStart >= 0 && isDelimiter(c)) {
        this.endToken(this.tokenStart, i, this.tokenLine);
        this.tokenStart = -1;
      }
      if (c === C.NL) {
        this.line++;
        i++;
        continue;
      }
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (c === C.SEMI) {
        const nl = text.indexOf('\n', i);
        if (nl < 0 && !final) break scan;
        i = nl < 0 ? n : nl;
        continue;
      }
      if (c === C.QUOTE) {
        let j = this.stringResume >= 0 ? this.stringResume : i + 1;
        for (; j < n; j++) {
          const d = text.charCodeAt(j);
          if (d === C.BACKSLASH) j++;
          else if (d === C.QUOTE) break;
        }
        if (j >= n && !final) {
          this.stringResume = j;
          break scan;
        }
        this.stringResume = -1;
        this.beginElement(i);
        const startLine = this.line;
        if (j >= n) this.fail('unterminated string', startLine);
        for (let k = i + 1; k < j; k++) if (text.charCodeAt(k) === C.NL) this.line++;
        if (this.line !== startLine) this.multilineStringAt = startLine;
        i = j + 1;
        this.completeElement(i, false, false);
        continue;
      }
      if (c === C.LPAREN || c === C.LBRACK || c === C.LBRACE) {
        this.beginElement(i);
        const isSet = c === C.LBRACE && i > 0 && text.charCodeAt(i - 1) === C.HASH;
        stack.push({ open: text[i], line: this.line, isSet, count: 0, prefixed: false, discards: 0 });
        i++;
        continue;
      }
      if (c === C.RPAREN || c === C.RBRACK || c === C.RBRACE) {
        const frame = stack[stack.length - 1];
        const closer = text[i];
        if (stack.length === 1) this.fail(`unexpected "${closer}" with nothing open${this.hint()}`, this.line);
        if (CLOSER_OF[frame.open] !== closer) {
          this.fail(`"${closer}" does not close the "${frame.open}" opened at line ${frame.line}${this.hint()}`, this.line);
        }
        if (frame.prefixed) this.fail(`a tag or #_ at the end of a collection has nothing to apply to`, this.line);
        if (frame.open === '{' && !frame.isSet && frame.count % 2 !== 0) {
          this.fail(`map has a key without a value (${frame.count} forms inside the braces)`, frame.line);
        }
        stack.pop();
        i++;
        this.completeElement(i, false, false);
        continue;
      }
      // Part of a token (keyword, number, symbol, nil/true/false, tag, character literal).
      if (c === C.BACKSLASH && i + 1 >= n && !final) break scan;
      if (this.tokenStart < 0) {
        this.beginElement(i);
        this.tokenStart = i;
        this.tokenLine = this.line;
      }
      // A character literal's next char is itself, whatever it is (`\)`, `\"`, `\;`).
      i += c === C.BACKSLASH && i + 1 < n ? 2 : 1;
    }
    this.i = i;
    if (!final) return;
    if (this.tokenStart >= 0) this.endToken(this.tokenStart, n, this.tokenLine);
    if (stack.length > 1) {
      const open = stack[stack.length - 1];
      this.fail(`"${open.open}" opened here is never closed${this.hint()}`, open.line);
    }
    if (this.root.prefixed) this.fail('a tag or #_ at the end of the file has nothing to apply to', this.line);
    if (this.shape === 'vector' && !this.historyClosed) this.fail('the history vector is never closed', 1);
  }
}
