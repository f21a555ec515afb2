/**
 * A node's stderr, written to nodes/<node>.log without ever holding the node back: the harness drains the
 * pipe as fast as the node writes (so a node never blocks on stderr), the file is capped (a node that logs its
 * whole state on every message must not fill the disk), and when the disk falls behind, chunks are dropped
 * and counted rather than buffered without bound. The cap counts the file as it is, so it holds across a
 * node's restarts, which append to the same file.
 */
import { createWriteStream, statSync, type WriteStream } from 'node:fs';

export interface StderrLogOptions {
  path: string;
  /** The most bytes the file may grow to. */
  maxBytes: number;
  /** Also hand each complete line here (--log-stderr). */
  echo?: (line: string) => void;
}

export interface StderrLogStats {
  /** Bytes the node wrote on stderr (this incarnation). */
  bytes: number;
  /** Bytes left out of the file: past the cap, or while the disk was behind. */
  dropped: number;
  capped: boolean;
}

/** How much may wait in memory for the disk before chunks are dropped. */
const MAX_PENDING = 8 * 1024 * 1024;

export class StderrLog {
  readonly closed: Promise<void>;
  private readonly stream: WriteStream;
  private size: number;
  private readonly st: StderrLogStats = { bytes: 0, dropped: 0, capped: false };
  private carry = '';

  constructor(private readonly o: StderrLogOptions) {
    let size = 0;
    try {
      size = statSync(o.path).size;
    } catch {
      // a new file
    }
    this.size = size;
    this.st.capped = size >= o.maxBytes;
    this.stream = createWriteStream(o.path, { flags: 'a' });
    this.closed = new Promise((resolve) => {
      this.stream.once('close', resolve);
      this.stream.once('error', () => resolve());
    });
  }

  get stats(): StderrLogStats {
    return { ...this.st };
  }

  write(chunk: Buffer): void {
    this.st.bytes += chunk.length;
    if (this.o.echo) this.echoLines(chunk.toString('utf8'));
    if (this.st.capped) {
      this.st.dropped += chunk.length;
      return;
    }
    if (this.stream.writableLength > MAX_PENDING) {
      this.st.dropped += chunk.length;
      return;
    }
    const room = this.o.maxBytes - this.size;
    if (chunk.length <= room) {
      this.size += chunk.length;
      this.stream.write(chunk);
      return;
    }
    this.stream.write(chunk.subarray(0, room));
    this.st.dropped += chunk.length - room;
    this.st.capped = true;
    const note = `\n[faultline: this log reached its cap of ${this.o.maxBytes} bytes; later stderr of this node is not kept]\n`;
    this.size = this.o.maxBytes;
    this.stream.write(note);
  }

  end(): void {
    if (this.carry !== '' && this.o.echo) this.o.echo(this.carry);
    this.carry = '';
    if (!this.st.capped && this.st.dropped > 0) {
      this.stream.write(`\n[faultline: ${this.st.dropped} bytes of stderr were dropped while the disk was behind]\n`);
    }
    this.stream.end();
  }

  private echoLines(text: string): void {
    const lines = (this.carry + text).split('\n');
    this.carry = lines.pop() ?? '';
    for (const l of lines) this.o.echo!(l);
  }
}
