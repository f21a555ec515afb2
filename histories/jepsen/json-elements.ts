/**
 * Cuts a JSON array into the texts of its top-level elements, fed in pieces of any size: so a Jepsen-style JSON
 * history is read element by element, holding one element at a time, never the whole text (which past V8's
 * longest string, ~512 MB, cannot even be held, and parsed whole costs about four times the file).
 * Only the array's frame is judged here (brackets, commas, strings, where an element ends); each element's own
 * text is parsed by its consumer, exactly as JSON.
 */
import { InputError } from '../errors.js';
import { constants } from 'node:buffer';

/** One element's text and the line it starts on. */
export type OnElement = (text: string, line: number) => void;

/** Where the scanner is: before the opening bracket; after `[` or a comma (an element, or right after `[` the
 * closing bracket); inside an element; after an element (a comma or the closing bracket); after the closing
 * bracket (only whitespace). */
const At = { Start: 0, Element: 1, In: 2, Next: 3, Done: 4 } as const;
type At = (typeof At)[keyof typeof At];

const MAX_STRING_LENGTH = constants.MAX_STRING_LENGTH;

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

export class JsonArrayScanner {
  private at: At = At.Start;
  private line = 1;
  /** The current element: its pieces so far, their length, its line, its nesting and string state. */
  private parts: string[] = [];
  private partBytes = 0;
  private elementLine = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Whether the last element seen was followed by a comma (a trailing comma is not JSON). */
  private afterComma = false;
  elements = 0;

  constructor(
    private readonly file: string | undefined,
    private readonly onElement: OnElement,
  ) {}

  private malformed(message: string): never {
    throw new InputError(`malformed JSON history: ${message}`, this.line, this.file);
  }

  private emit(text: string): void {
    this.parts.push(text);
    const whole = this.parts.length === 1 ? this.parts[0] : this.parts.join('');
    this.parts = [];
    this.partBytes = 0;
    this.elements++;
    this.onElement(whole, this.elementLine);
  }

  /** Feed the next piece of text; `end` after the last one (which may be empty). */
  feed(text: string, end = false): void {
    let start = -1; // where the current element's text starts in this piece, while inside one
    if (this.at === At.In) start = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (this.at === At.In) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === 92) this.escaped = true;
          else if (c === 34) this.inString = false;
          if (c === 10) this.line++;
          // A scalar string element ends with its closing quote.
          if (!this.inString && this.depth === 0) {
            this.emit(text.slice(start, i + 1));
            this.at = At.Next;
          }
          continue;
        }
        if (c === 34) this.inString = true;
        else if (c === 91 || c === 123) this.depth++;
        else if (c === 93 || c === 125) {
          if (this.depth === 0) {
            // The array's own closing bracket ends a scalar element.
            this.emit(text.slice(start, i));
            this.at = At.Next;
            i--;
            continue;
          }
          this.depth--;
          if (this.depth === 0) {
            this.emit(text.slice(start, i + 1));
            this.at = At.Next;
          }
        } else if (this.depth === 0 && (c === 44 || isSpace(c))) {
          this.emit(text.slice(start, i));
          this.at = At.Next;
          i--;
          continue;
        }
        if (c === 10) this.line++;
        continue;
      }
      if (c === 10) {
        this.line++;
        continue;
      }
      if (isSpace(c) || (this.at === At.Start && c === 0xfeff && i === 0)) continue;
      switch (this.at) {
        case At.Start:
          if (c !== 91) throw new InputError('a JSON history is an array of op maps', this.line, this.file);
          this.at = At.Element;
          this.afterComma = false;
          break;
        case At.Element:
          if (c === 93) {
            if (this.afterComma) this.malformed('a comma before the closing bracket (no element follows it)');
            this.at = At.Done;
            break;
          }
          if (c === 44) this.malformed('an empty element (two commas, or a comma after the opening bracket)');
          this.at = At.In;
          start = i;
          this.elementLine = this.line;
          this.depth = 0;
          this.inString = false;
          this.escaped = false;
          i--; // the element's first character is read in the In state
          break;
        case At.Next:
          if (c === 44) {
            this.at = At.Element;
            this.afterComma = true;
          } else if (c === 93) this.at = At.Done;
          else this.malformed(`expected a comma or the closing bracket after the element on line ${this.elementLine}, got ${JSON.stringify(String.fromCharCode(c))}`);
          break;
        case At.Done:
          this.malformed('text after the closing bracket of the array');
      }
    }
    if (this.at === At.In) {
      const rest = text.slice(start);
      this.parts.push(rest);
      this.partBytes += rest.length;
      // Read whole, a JSON history's elements had only the whole text's limit; one element past the longest
      // string is all that cannot be read now.
      if (this.partBytes > MAX_STRING_LENGTH) {
        throw new InputError(
          `an element is longer than the longest string the JS engine holds (${Math.floor(MAX_STRING_LENGTH / 2 ** 20)} MiB); no history op is: is this a history?`,
          this.elementLine,
          this.file,
        );
      }
    }
    if (!end) return;
    if (this.at === At.In && this.depth === 0 && !this.inString) {
      this.emit('');
      this.at = At.Next;
    }
    if (this.at === At.Start) throw new InputError('a JSON history is an array of op maps', this.line, this.file);
    if (this.at !== At.Done) this.malformed('the array is not closed (the file ends inside it: cut short?)');
  }
}
