/**
 * One incarnation of a node program: spawned with piped stdio, its stdout split into protocol lines, its
 * stderr appended to the node's log file, and its stdin written in batches (one write per event-loop turn
 * rather than one per message, which is what lets the router keep up with tens of thousands of messages
 * a second).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { StderrLog, type StderrLogStats } from './stderr-log.js';

export interface NodeProcessOptions {
  node: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  logPath: string;
  /** Cap on the log file's size (default 16 MiB). */
  logMaxBytes?: number;
  /** Also hand each stderr line here (--log-stderr). */
  echoStderr?: (line: string) => void;
  onLine: (line: string) => void;
  onExit: (code: number | null, signal: NodeJS.Signals | null, error?: Error) => void;
  /**
   * The node broke the protocol beyond what the harness will hold (a line too long, too much output); it has
   * been killed. Called at most once per incarnation.
   */
  onBreach?: (reason: string) => void;
  /** Longest stdout line kept (characters); a longer one is a breach. Default MAX_LINE_CHARS. */
  maxLineChars?: number;
  /** Most stdout one incarnation may write (characters); more is a breach. Default MAX_OUTPUT_CHARS. */
  maxOutputChars?: number;
}

/** No protocol message comes near this; without a bound, a node writing without newlines grows one string until V8 gives up. */
export const MAX_LINE_CHARS = 8 << 20;
/** Far above what any run's traffic needs from one node; bounds what a runaway node can make the harness read. */
export const MAX_OUTPUT_CHARS = 4 * 2 ** 30;

const STDERR_TAIL_CHARS = 2000;
export const DEFAULT_LOG_MAX_BYTES = 16 * 1024 * 1024;

export class NodeProcess {
  readonly pid: number | undefined;
  /** Resolves once the process has exited (or failed to spawn). */
  readonly exited: Promise<void>;
  alive = true;
  paused = false;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  spawnError: Error | undefined;
  private stderrTail = '';
  private carry = '';
  private outputChars = 0;
  /** Why this incarnation was cut off, once it broke the protocol. */
  breach: string | undefined;
  private outbox: string[] = [];
  private flushScheduled = false;
  private readonly child: ChildProcess;
  private readonly log: StderrLog;

  constructor(private readonly opts: NodeProcessOptions) {
    this.log = new StderrLog({ path: opts.logPath, maxBytes: opts.logMaxBytes ?? DEFAULT_LOG_MAX_BYTES, echo: opts.echoStderr });
    // detached: the node leads its own process group, so a Ctrl-C at the terminal (SIGINT to the harness's whole
    // group) reaches the harness alone, which stops the nodes itself; a node that died of the user's Ctrl-C
    // would otherwise look like a fault and could turn into a verdict.
    this.child = spawn(opts.command, [...opts.args], { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.pid = this.child.pid;

    let settle!: () => void;
    this.exited = new Promise((resolve) => (settle = resolve));
    let finished = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      if (finished) return;
      finished = true;
      this.alive = false;
      this.exitCode = code;
      this.exitSignal = signal;
      this.spawnError = error;
      this.outbox = [];
      opts.onExit(code, signal, error);
      settle();
    };
    this.child.once('error', (err) => {
      // 'error' without a pid means the spawn itself failed; with one it is a failed kill() and the
      // process is still there.
      if (this.pid === undefined) finish(null, null, err);
    });
    this.child.once('exit', (code, signal) => finish(code, signal));

    // A dead or stopped reader turns writes into EPIPE; the exit handler reports the death instead.
    this.child.stdin?.on('error', () => undefined);
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => this.onStdout(chunk));
    // Drained as fast as the node writes: a node never waits on its stderr (see stderr-log.ts).
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
      this.log.write(chunk);
    });
    if (this.child.stderr) this.child.stderr.once('close', () => this.log.end());
    else this.log.end();
  }

  /** What happened to this incarnation's stderr: bytes written, dropped, whether the file hit its cap. */
  get logStats(): StderrLogStats {
    return this.log.stats;
  }

  /** The last lines the node wrote on stderr, for error messages. */
  get stderr(): string {
    return this.stderrTail;
  }

  /** Queue one protocol line (without its newline) for the node's stdin. */
  send(line: string): void {
    if (!this.alive) return;
    this.outbox.push(line);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.alive || this.pid === undefined) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // Already gone: the exit event will follow.
    }
  }

  /** Wait for exit and for the log file to be flushed, at most `timeoutMs`. */
  async closed(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all([this.exited, this.log.closed]), deadline]);
    clearTimeout(timer);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.alive || this.outbox.length === 0) return;
    const text = this.outbox.length === 1 ? this.outbox[0] + '\n' : this.outbox.join('\n') + '\n';
    this.outbox = [];
    this.child.stdin?.write(text);
  }

  /** Stop listening to a node that broke the protocol and kill it: it is named, never read further. */
  private cutOff(reason: string): void {
    this.breach = reason;
    this.carry = '';
    this.child.stdout?.removeAllListeners('data');
    this.child.stdout?.destroy();
    this.signal('SIGKILL');
    this.opts.onBreach?.(reason);
  }

  private onStdout(chunk: string): void {
    if (this.breach !== undefined) return;
    this.outputChars += chunk.length;
    const maxOutput = this.opts.maxOutputChars ?? MAX_OUTPUT_CHARS;
    if (this.outputChars > maxOutput) {
      this.cutOff(`wrote more than ${maxOutput} characters on stdout`);
      return;
    }
    const maxLine = this.opts.maxLineChars ?? MAX_LINE_CHARS;
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl === -1) {
      if (this.carry.length + chunk.length > maxLine) {
        this.cutOff(`wrote a stdout line longer than ${maxLine} characters (no newline)`);
        return;
      }
      this.carry += chunk;
      return;
    }
    if (this.carry.length + nl > maxLine) {
      this.cutOff(`wrote a stdout line longer than ${maxLine} characters`);
      return;
    }
    if (this.carry !== '') {
      const first = this.carry + chunk.slice(0, nl);
      this.carry = '';
      if (first.length > 0) this.opts.onLine(first);
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    while (nl !== -1) {
      if (nl - start > maxLine) {
        this.cutOff(`wrote a stdout line longer than ${maxLine} characters`);
        return;
      }
      if (nl > start) this.opts.onLine(chunk.slice(start, nl));
      if (this.breach !== undefined) return;
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    if (chunk.length - start > maxLine) {
      this.cutOff(`wrote a stdout line longer than ${maxLine} characters (no newline)`);
      return;
    }
    if (start < chunk.length) this.carry = chunk.slice(start);
  }
}
