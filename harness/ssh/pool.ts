/**
 * One SSH connection per host, opened on first use and reused for every command after (ssh2 multiplexes
 * sessions over it). A connection that errors, closes or lets a command run past its timeout is dropped,
 * so the next command reconnects: a host that was unreachable for a while is used again once it answers.
 */
import { readFileSync } from 'node:fs';
import { Client, type ConnectConfig } from 'ssh2';
import { checkHostKey } from './known-hosts.js';
import { hostLabel, type Host, type HostsFile } from './hosts.js';
import { InputError } from '../../histories/errors.js';

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Written to the command's stdin, which is then closed. */
  input?: string;
  timeoutMs?: number;
}

/** The host could not be reached or stopped answering (as opposed to a command that ran and failed). */
export class HostUnreachable extends Error {
  constructor(
    readonly host: Host,
    message: string,
  ) {
    super(`${hostLabel(host)}: ${message}`);
    this.name = 'HostUnreachable';
  }
}

/** A command ran on the host and exited non-zero. */
export class RemoteCommandFailed extends Error {
  constructor(
    readonly host: Host,
    readonly command: string,
    readonly result: ExecResult,
  ) {
    const why = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' | ').slice(0, 400);
    super(`${hostLabel(host)}: \`${command.slice(0, 120)}\` exited ${result.code ?? result.signal}${why ? `: ${why}` : ''}`);
    this.name = 'RemoteCommandFailed';
  }
}

/** Quote one word for a POSIX shell. */
export function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class SshPool {
  private readonly conns = new Map<number, Promise<Client>>();
  /** Hosts whose key was accepted without being in known_hosts (accept-new), for the run's log. */
  readonly acceptedNew = new Set<string>();

  constructor(readonly file: HostsFile) {}

  private connect(h: Host): Promise<Client> {
    const existing = this.conns.get(h.index);
    if (existing) return existing;
    const p = new Promise<Client>((resolve, reject) => {
      const c = new Client();
      let refused: string | null = null;
      const cfg: ConnectConfig = {
        host: h.address,
        port: h.port,
        username: h.user,
        readyTimeout: this.file.connectTimeoutMs,
        keepaliveInterval: 5000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          const v = checkHostKey(this.file.knownHosts, h.address, h.port, key, this.file.hostKeyChecking);
          if (!v.ok) refused = v.reason;
          else if (!v.known && this.file.hostKeyChecking === 'accept-new') this.acceptedNew.add(hostLabel(h));
          return v.ok;
        },
      };
      if (h.key !== undefined) {
        try {
          cfg.privateKey = readFileSync(h.key);
        } catch (err) {
          reject(new InputError(`${hostLabel(h)}: cannot read key ${h.key}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`));
          return;
        }
        if (h.passphrase !== undefined) cfg.passphrase = h.passphrase;
      }
      if (h.agent && process.env.SSH_AUTH_SOCK) cfg.agent = process.env.SSH_AUTH_SOCK;
      let ready = false;
      c.on('ready', () => {
        ready = true;
        resolve(c);
      });
      c.on('error', (err) => {
        this.conns.delete(h.index);
        if (ready) return;
        if (refused) reject(new InputError(`${hostLabel(h)}: host key refused: ${refused}`));
        else if (/authentication methods failed/i.test(err.message)) reject(new InputError(`${hostLabel(h)}: login refused for ${h.user} (key ${h.key ?? 'none'}${h.agent ? ', agent' : ''})`));
        else reject(new HostUnreachable(h, `cannot connect: ${err.message}`));
      });
      c.on('close', () => this.conns.delete(h.index));
      try {
        c.connect(cfg);
      } catch (err) {
        this.conns.delete(h.index);
        reject(new InputError(`${hostLabel(h)}: ${(err as Error).message}`));
      }
    });
    this.conns.set(h.index, p);
    p.catch(() => this.conns.delete(h.index));
    return p;
  }

  /** Run `command` under the host's shell (through `sudo -n sh -c` where the host says sudo). */
  async exec(h: Host, command: string, o: ExecOptions = {}): Promise<ExecResult> {
    const c = await this.connect(h);
    const full = h.sudo ? `sudo -n sh -c ${sq(command)}` : command;
    const timeoutMs = o.timeoutMs ?? this.file.commandTimeoutMs;
    return new Promise<ExecResult>((resolve, reject) => {
      let settled = false;
      const drop = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // A connection that let a command hang is not trusted again: the next command reconnects.
        this.conns.delete(h.index);
        c.end();
        reject(new HostUnreachable(h, why));
      };
      const timer = setTimeout(() => drop(`no answer within ${timeoutMs} ms`), timeoutMs);
      timer.unref();
      c.exec(full, (err, stream) => {
        if (err) return drop(`cannot run a command: ${err.message}`);
        let stdout = '';
        let stderr = '';
        stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        stream.on('close', (code: number | null, signal?: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ code, signal, stdout, stderr });
        });
        stream.on('error', (e: Error) => drop(e.message));
        if (o.input !== undefined) stream.end(o.input);
        else stream.end();
      });
    });
  }

  /** Like exec, but a non-zero exit throws RemoteCommandFailed; returns stdout. */
  async run(h: Host, command: string, o: ExecOptions = {}): Promise<string> {
    const r = await this.exec(h, command, o);
    if (r.code !== 0) throw new RemoteCommandFailed(h, command, r);
    return r.stdout;
  }

  /** Close every connection. */
  close(): void {
    for (const p of this.conns.values()) void p.then((c) => c.end()).catch(() => undefined);
    this.conns.clear();
  }
}
