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
  const fail = (message: string, line: number): never => {
    throw new InputError(message, line, file);
  };
  const root: Frame = { open: '', line: 1, isSet: false, count: 0, prefixed: false, discards: 0 };
  const stack: Frame[] = [root];
  let shape = 'empty' as HistoryShape;
  /** Depth whose elements are op forms: 1 inside a history vector, 0 for a sequence of forms. */
  let opDepth = -1;
  let historyClosed = false;
  let formStart = -1;
  let formLine = 0;
  let line = 1;
  /** The last string that ran over several lines: the usual cause when brackets stop balancing. */
  let multilineStringAt = 0;
  const hint = (): string =>
    multilineStringAt ? ` (a string starting at line ${multilineStringAt} runs over several lines: is a quote missing?)` : '';

  const beginElement = (pos: number): void => {
    const depth = stack.length - 1;
    if (depth === 0) {
      if (historyClosed) fail(`unexpected content after the end of the history vector${hint()}`, line);
      if (opDepth < 0) {
        const c = text.charCodeAt(pos);
        if (c === C.LBRACK || c === C.LPAREN) {
          shape = 'vector';
          opDepth = 1;
          return;
        }
        shape = 'sequence';
        opDepth = 0;
      }
    }
    if (depth === opDepth && formStart < 0) {
      formStart = pos;
      formLine = line;
    }
  };

  /** An element finished at the current top frame; `end` is the offset just past it. */
  const completeElement = (end: number, isPrefix: boolean, isDiscard: boolean): void => {
    const frame = stack[stack.length - 1];
    if (isPrefix) {
      frame.prefixed = true;
      if (isDiscard) frame.discards++;
      return;
    }
    frame.prefixed = false;
    if (frame.discards > 0) frame.discards--;
    else frame.count++;
    const depth = stack.length - 1;
    if (depth === opDepth && formStart >= 0) {
      onForm({ text: text.slice(formStart, end), line: formLine });
      formStart = -1;
    } else if (depth === 0 && shape === 'vector') {
      historyClosed = true;
    }
  };

  const endToken = (start: number, end: number, tokenLine: number): void => {
    const token = text.slice(start, end);
    if (token.startsWith('##')) fail(`EDN symbolic value "${token}" has no JSON equivalent`, tokenLine);
    if (token.charCodeAt(0) === C.HASH) {
      // `#_x` written without a space discards x itself; `#_` alone discards the next element.
      if (token.startsWith('#_') && token.length > 2) return;
      completeElement(end, true, token === '#_');
      return;
    }
    if (NUMBERISH.test(token) && !NUMBER.test(token) && !HEX_INT.test(token)) fail(`malformed number "${token}"`, tokenLine);
    completeElement(end, false, false);
  };

  const n = text.length;
  let tokenStart = -1;
  let tokenLine = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (tokenStart >= 0 && isDelimiter(c)) {
      endToken(tokenStart, i, tokenLine);
      tokenStart = -1;
    }
    if (c === C.NL) {
      line++;
      i++;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === C.SEMI) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (c === C.QUOTE) {
      beginElement(i);
      const startLine = line;
      let j = i + 1;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === C.BACKSLASH) j++;
        else if (d === C.QUOTE) break;
      }
      if (j >= n) fail('unterminated string', startLine);
      for (let k = i + 1; k < j; k++) if (text.charCodeAt(k) === C.NL) line++;
      if (line !== startLine) multilineStringAt = startLine;
      i = j + 1;
      completeElement(i, false, false);
      continue;
    }
    if (c === C.LPAREN || c === C.LBRACK || c === C.LBRACE) {
      beginElement(i);
      const isSet = c === C.LBRACE && i > 0 && text.charCodeAt(i - 1) === C.HASH;
      stack.push({ open: text[i], line, isSet, count: 0, prefixed: false, discards: 0 });
      i++;
      continue;
    }
    if (c === C.RPAREN || c === C.RBRACK || c === C.RBRACE) {
      const frame = stack[stack.length - 1];
      const closer = text[i];
      if (stack.length === 1) fail(`unexpected "${closer}" with nothing open${hint()}`, line);
      if (CLOSER_OF[frame.open] !== closer) {
        fail(`"${closer}" does not close the "${frame.open}" opened at line ${frame.line}${hint()}`, line);
      }
      if (frame.prefixed) fail(`a tag or #_ at the end of a collection has nothing to apply to`, line);
      if (frame.open === '{' && !frame.isSet && frame.count % 2 !== 0) {
        fail(`map has a key without a value (${frame.count} forms inside the braces)`, frame.line);
      }
      stack.pop();
      i++;
      completeElement(i, false, false);
      continue;
    }
    // Part of a token (keyword, number, symbol, nil/true/false, tag, character literal).
    if (tokenStart < 0) {
      beginElement(i);
      tokenStart = i;
      tokenLine = line;
    }
    // A character literal's next char is itself, whatever it is (`\)`, `\"`, `\;`).
    i += c === C.BACKSLASH && i + 1 < n ? 2 : 1;
  }
  if (tokenStart >= 0) endToken(tokenStart, n, tokenLine);
  if (stack.length > 1) {
    const open = stack[stack.length - 1];
    fail(`"${open.open}" opened here is never closed${hint()}`, open.line);
  }
  if (root.prefixed) fail('a tag or #_ at the end of the file has nothing to apply to', line);
  if (shape === 'vector' && !historyClosed) fail('the history vector is never closed', 1);
  return shape;
}
