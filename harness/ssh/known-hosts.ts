/**
 * Host key checking as OpenSSH does it: a host is trusted when known_hosts lists its name (plain, or hashed
 * with HashKnownHosts) with the very key it presents. "[host]:port" entries are matched for ports other
 * than 22, `@revoked` keys are refused, and `@cert-authority` lines are skipped (certificates are not
 * supported). Negated and wildcard patterns are honoured for plain names.
 */
import { createHmac } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export interface KnownKey {
  /** Patterns (plain names, `[host]:port`, globs, `!negated`) or one hashed entry. */
  hosts: string[];
  hashed?: { salt: Buffer; hash: Buffer };
  type: string;
  /** Base64 of the key blob, as ssh2 hands it over. */
  key: string;
  revoked: boolean;
}

export function parseKnownHosts(text: string): KnownKey[] {
  const out: KnownKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    let revoked = false;
    if (parts[0].startsWith('@')) {
      const marker = parts.shift()!;
      if (marker === '@cert-authority') continue;
      revoked = marker === '@revoked';
    }
    if (parts.length < 3) continue;
    const [hostField, type, key] = parts;
    if (hostField.startsWith('|1|')) {
      const [, , salt, hash] = hostField.split('|');
      if (!salt || !hash) continue;
      out.push({ hosts: [], hashed: { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') }, type, key, revoked });
    } else {
      out.push({ hosts: hostField.split(','), type, key, revoked });
    }
  }
  return out;
}

/** The name a host goes by in known_hosts: `host`, or `[host]:port` off port 22. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

function glob(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  return re.test(name);
}

function matches(entry: KnownKey, name: string): boolean {
  if (entry.hashed) {
    const h = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return h.equals(entry.hashed.hash);
  }
  let hit = false;
  for (const p of entry.hosts) {
    if (p.startsWith('!')) {
      if (glob(p.slice(1), name)) return false;
    } else if (glob(p, name)) hit = true;
  }
  return hit;
}

export type HostKeyVerdict =
  | { ok: true; known: boolean }
  | { ok: false; reason: string };

/**
 * Judge the key a host presents. `mode` strict: only a listed key passes; accept-new: an unlisted host passes
 * (and is appended to the file, as OpenSSH does); off: everything passes.
 */
export function checkHostKey(
  file: string,
  address: string,
  port: number,
  keyBlob: Buffer,
  mode: 'strict' | 'accept-new' | 'off',
): HostKeyVerdict {
  if (mode === 'off') return { ok: true, known: false };
  const name = knownHostsName(address, port);
  const entries = existsSync(file) ? parseKnownHosts(readFileSync(file, 'utf8')) : [];
  const presented = keyBlob.toString('base64');
  const mine = entries.filter((e) => matches(e, name));
  if (mine.some((e) => e.revoked && e.key === presented)) return { ok: false, reason: `the key of ${name} is marked @revoked in ${file}` };
  if (mine.some((e) => !e.revoked && e.key === presented)) return { ok: true, known: true };
  const listed = mine.filter((e) => !e.revoked);
  if (listed.length > 0) {
    return { ok: false, reason: `the key of ${name} does not match the one in ${file} (POSSIBLE MAN-IN-THE-MIDDLE, or the host was reinstalled): refusing` };
  }
  if (mode === 'accept-new') {
    const type = keyType(keyBlob);
    if (type) appendFileSync(file, `${name} ${type} ${presented}\n`, { mode: 0o600 });
    return { ok: true, known: false };
  }
  return {
    ok: false,
    reason: `${name} is not in ${file}; add its key (ssh-keyscan -p ${port} ${address} >> ${file}, after checking it) or set settings.hostKeyChecking: accept-new in the hosts file`,
  };
}

/** The algorithm name at the head of an SSH key blob (uint32 length, then the name). */
function keyType(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const n = blob.readUInt32BE(0);
  if (n <= 0 || n > 64 || blob.length < 4 + n) return null;
  return blob.subarray(4, 4 + n).toString('latin1');
}
