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
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import SSHConfig from 'ssh-config';
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
  /**
   * An OpenSSH client config read for each host's HostName, User, Port and IdentityFile (default
   * ~/.ssh/config, when it exists); false to read none. The hosts file's own fields win over it.
   */
  sshConfig: z.union([LOCAL_PATH, z.literal(false)]).optional(),
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

/** What an OpenSSH client config says about one host, of what faultline uses. */
interface FromSshConfig {
  hostName?: string;
  user?: string;
  port?: number;
  identityFile?: string;
}

/**
 * Read one host's entry of an OpenSSH client config (ssh-config computes Host and Match sections as ssh
 * does, first value wins; `Match exec` is not run). Refuses what faultline cannot honour, rather than
 * connecting some other way than ssh would: ProxyJump, ProxyCommand, and %-tokens in IdentityFile.
 */
function sshConfigFor(config: SSHConfig, name: string, configFile: string, where: string, file: string, base: string): FromSshConfig {
  const c = config.compute(name, { matchExec: false, ignoreCase: true });
  const one = (k: string): string | undefined => {
    const v = c[k] ?? c[k.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  for (const k of ['ProxyJump', 'ProxyCommand']) {
    const v = one(k);
    if (v !== undefined && v.toLowerCase() !== 'none') throw new InputError(`${where} (${name}): ${configFile} sets ${k} for it, which faultline does not support; give a host it can reach directly, or sshConfig: false`, undefined, file);
  }
  const out: FromSshConfig = {};
  const hostName = one('HostName');
  if (hostName !== undefined) out.hostName = hostName.replace(/%h/g, name);
  if (out.hostName !== undefined && !/^[A-Za-z0-9.:_-]+$/.test(out.hostName)) throw new InputError(`${where} (${name}): HostName ${out.hostName} in ${configFile} is not an address or host name`, undefined, file);
  const user = one('User');
  if (user !== undefined) out.user = user;
  const port = one('Port');
  if (port !== undefined) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InputError(`${where} (${name}): Port ${port} in ${configFile} is not a port`, undefined, file);
    out.port = n;
  }
  const ids = c.IdentityFile ?? c.identityfile;
  const idList = ids === undefined ? [] : Array.isArray(ids) ? ids : [ids];
  for (const id of idList) {
    if (/%/.test(id)) throw new InputError(`${where} (${name}): IdentityFile ${id} in ${configFile} uses %-tokens, which faultline does not expand; give key: in the hosts file`, undefined, file);
  }
  // ssh tries each IdentityFile in turn; faultline takes the first that exists (one key per host).
  const found = idList.map((id) => expandHome(id, base)).find((p) => existsSync(p));
  if (found !== undefined) out.identityFile = found;
  return out;
}

/** The OpenSSH client config a hosts file asks for (null for none), parsed. */
function loadSshConfig(setting: string | false | undefined, base: string, file: string): { path: string; config: SSHConfig } | null {
  if (setting === false) return null;
  const path = expandHome(setting ?? '~/.ssh/config', base);
  if (setting === undefined && !existsSync(path)) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`settings.sshConfig: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, undefined, file);
  }
  try {
    return { path, config: SSHConfig.parse(text) };
  } catch (err) {
    throw new InputError(`settings.sshConfig: ${path} is not an ssh config: ${(err as Error).message.split('\n')[0]}`, undefined, file);
  }
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
  const sshConfig = loadSshConfig(s.sshConfig, base, file);
  const hosts = r.data.hosts.map((h, index): Host => {
    const given = { ...d, ...h, bin: { ...(d.bin ?? {}), ...(h.bin ?? {}) } };
    if (given.address === undefined) throw new InputError(`hosts.${index}.address: required (the address SSH connects to)`, undefined, file);
    // The hosts file's own fields (and its defaults) win over the ssh config, which wins over built-in defaults.
    const sc = sshConfig ? sshConfigFor(sshConfig.config, given.address, sshConfig.path, `hosts.${index}`, file, base) : {};
    const m = { ...given, address: sc.hostName ?? given.address, user: given.user ?? sc.user, port: given.port ?? sc.port };
    const key = given.key !== undefined ? expandHome(given.key, base) : sc.identityFile;
    const agent = m.agent ?? env.SSH_AUTH_SOCK !== undefined;
    if (key === undefined && !agent) {
      throw new InputError(`hosts.${index} (${given.address}): no way to log in: give a key (or an IdentityFile in ~/.ssh/config), or run an agent (SSH_AUTH_SOCK is not set)`, undefined, file);
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
