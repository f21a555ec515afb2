/**
 * The hosts file of the ssh runtime: which machines the nodes run on and how to reach them, as YAML or JSON,
 * checked with zod. Node i of a run (n1, n2, ...) runs on the i-th host. Every problem is an InputError
 * naming the file and the field, so the CLI answers with one line and exit 254.
 *
 *   defaults: { user: root, key: ~/.ssh/id_ed25519 }
 *   hosts:
 *     - address: 10.0.0.11
 *     - address: 10.0.0.12
 *       port: 2222
 *       bin: { etcd: /opt/etcd/bin/etcd }
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError } from '../../histories/errors.js';

/** A local file: absolute, ~/..., or relative to the hosts file. */
const LOCAL_PATH = z.string().min(1);
const REMOTE_ABS = z.string().regex(/^\/[A-Za-z0-9._/-]*$/, 'an absolute path of letters, digits, . _ / -');

/** What a host may say, each field optional so that `defaults` can give it. */
const HostFields = z.object({
  /** The address (or DNS name) SSH connects to. */
  address: z.string().min(1).max(253).regex(/^[A-Za-z0-9.:_-]+$/, 'an IP address or host name'),
  /** The address the other nodes reach this one at (default: `address`); for hosts with a separate cluster network. */
  nodeAddress: z.string().regex(/^[0-9.]+$|^[0-9a-fA-F:]+$/, 'an IP address').optional(),
  user: z.string().regex(/^[a-z_][a-z0-9_.-]*$/i, 'a user name').optional(),
  port: z.number().int().min(1).max(65535).optional(),
  /** Private key file; with none, the agent (SSH_AUTH_SOCK) is asked. */
  key: LOCAL_PATH.optional(),
  /** Passphrase of the key, if it has one (prefer the agent). */
  passphrase: z.string().optional(),
  /** Use the agent at SSH_AUTH_SOCK (default: when SSH_AUTH_SOCK is set). */
  agent: z.boolean().optional(),
  /** Prefix every command with `sudo -n` (a non-root user with passwordless sudo). */
  sudo: z.boolean().optional(),
  /** Where faultline keeps run folders, pidfiles and logs on the host. */
  dir: REMOTE_ABS.optional(),
  /** Binaries by target name, where a host does not have Debian's package (`etcd`, `redis`). */
  bin: z.record(z.string(), REMOTE_ABS).optional(),
  /** libfaketime on the host, for clock faults (default: Debian's path). */
  faketime: REMOTE_ABS.optional(),
});

const Settings = z.object({
  /** known_hosts file checked against each host's key (default ~/.ssh/known_hosts). */
  knownHosts: LOCAL_PATH.optional(),
  /**
   * strict (default): a host must be in known_hosts with the key it presents. accept-new: an unknown host is
   * accepted (and reported), a changed key still refused. off: no checking, for throwaway test hosts only.
   */
  hostKeyChecking: z.enum(['strict', 'accept-new', 'off']).optional(),
  connectTimeoutMs: z.number().int().min(100).max(120_000).optional(),
  /** How long one remote command may take before the connection is judged dead. */
  commandTimeoutMs: z.number().int().min(100).max(600_000).optional(),
  /** How long heal and teardown keep retrying a host that does not answer before they report it. */
  retryForMs: z.number().int().min(0).max(600_000).optional(),
  /**
   * How node->node latency is made (only when a run asks for latency faults): auto (default) uses netem where
   * a host's kernel has it and the link proxies (the host's node) elsewhere; proxy always uses the proxies.
   */
  linkLatency: z.enum(['auto', 'proxy']).optional(),
});

const FileSchema = z.object({
  defaults: HostFields.partial().strict().optional(),
  settings: Settings.strict().optional(),
  hosts: z.array(HostFields.partial().strict()).min(1).max(9),
}).strict();

export interface Host {
  /** 0-based position, which is also the node it carries (n1 is host 0). */
  index: number;
  address: string;
  nodeAddress: string;
  user: string;
  port: number;
  key?: string;
  passphrase?: string;
  agent: boolean;
  sudo: boolean;
  dir: string;
  bin: Record<string, string>;
  faketime: string;
}

export interface HostsFile {
  file: string;
  hosts: Host[];
  knownHosts: string;
  hostKeyChecking: 'strict' | 'accept-new' | 'off';
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  retryForMs: number;
  linkLatency: 'auto' | 'proxy';
}

export const DEFAULT_REMOTE_DIR = '/var/tmp/faultline';
export const DEFAULT_FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

function expandHome(p: string, base: string): string {
  if (p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(base, p);
}

/** Parse the text of a hosts file (YAML, of which JSON is a subset). */
export function parseHosts(text: string, file: string, env: NodeJS.ProcessEnv = process.env): HostsFile {
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 50 });
  } catch (err) {
    throw new InputError(`not YAML or JSON: ${(err as Error).message.split('\n')[0]}`, undefined, file);
  }
  // A bare list of hosts is accepted too.
  if (Array.isArray(raw)) raw = { hosts: raw };
  const r = FileSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    const where = i.path.length ? i.path.join('.') : 'the file';
    throw new InputError(`${where}: ${i.message}`, undefined, file);
  }
  const base = dirname(resolve(file));
  const d = r.data.defaults ?? {};
  const s = r.data.settings ?? {};
  const hosts = r.data.hosts.map((h, index): Host => {
    const m = { ...d, ...h, bin: { ...(d.bin ?? {}), ...(h.bin ?? {}) } };
    if (m.address === undefined) throw new InputError(`hosts.${index}.address: required (the address SSH connects to)`, undefined, file);
    const key = m.key === undefined ? undefined : expandHome(m.key, base);
    const agent = m.agent ?? env.SSH_AUTH_SOCK !== undefined;
    if (key === undefined && !agent) {
      throw new InputError(`hosts.${index} (${m.address}): no way to log in: give a key, or run an agent (SSH_AUTH_SOCK is not set)`, undefined, file);
    }
    return {
      index,
      address: m.address,
      nodeAddress: m.nodeAddress ?? m.address,
      user: m.user ?? 'root',
      port: m.port ?? 22,
      key,
      passphrase: m.passphrase,
      agent,
      sudo: m.sudo ?? false,
      dir: m.dir ?? DEFAULT_REMOTE_DIR,
      bin: m.bin,
      faketime: m.faketime ?? DEFAULT_FAKETIME,
    };
  });
  const seen = new Map<string, number>();
  for (const h of hosts) {
    const k = `${h.address}:${h.port}`;
    if (seen.has(k)) throw new InputError(`hosts.${h.index}: ${k} is also hosts.${seen.get(k)}; each node needs its own host`, undefined, file);
    seen.set(k, h.index);
  }
  if (new Set(hosts.map((h) => h.nodeAddress)).size !== hosts.length) {
    throw new InputError('two hosts share a node address; each node needs its own (set nodeAddress where address is shared)', undefined, file);
  }
  return {
    file: resolve(file),
    hosts,
    knownHosts: expandHome(s.knownHosts ?? '~/.ssh/known_hosts', base),
    hostKeyChecking: s.hostKeyChecking ?? 'strict',
    connectTimeoutMs: s.connectTimeoutMs ?? 10_000,
    commandTimeoutMs: s.commandTimeoutMs ?? 30_000,
    retryForMs: s.retryForMs ?? 30_000,
    linkLatency: s.linkLatency ?? 'auto',
  };
}

export function loadHosts(file: string): HostsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the hosts file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, undefined, file);
  }
  return parseHosts(text, file);
}

/** "n3 (10.0.0.13)" for messages. */
export function hostLabel(h: Host): string {
  return `n${h.index + 1} (${h.user}@${h.address}${h.port === 22 ? '' : `:${h.port}`})`;
}
