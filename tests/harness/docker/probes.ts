/** Bounded probes the docker suites use to see what the network and the nodes really do. */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';

/**
 * Open a TCP connection from inside a container's network namespace (the host's bash, entered with nsenter),
 * so the source address is the container's. True when the handshake completes within `timeoutS`.
 */
export function tcpFromContainer(pid: number, host: string, port: number, timeoutS = 3): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      'nsenter',
      ['-t', String(pid), '-n', 'timeout', '-s', 'KILL', String(timeoutS), 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`],
      { timeout: (timeoutS + 10) * 1000, killSignal: 'SIGKILL' },
      (err) => resolve(err === null),
    );
  });
}

/** A TCP connection from the harness itself; true when it is accepted within `timeoutMs`. */
export function tcpFromHost(host: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Send one inline Redis command and return the first reply line (null on timeout or error). */
export function redisCommand(host: string, port: number, command: string, timeoutMs = 3000): Promise<string | null> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    let buf = '';
    const done = (v: string | null) => {
      clearTimeout(t);
      s.destroy();
      resolve(v);
    };
    const t = setTimeout(() => done(null), timeoutMs);
    s.once('connect', () => s.write(`${command}\r\n`));
    s.on('data', (d) => {
      buf += d.toString();
      const i = buf.indexOf('\r\n');
      if (i >= 0) done(buf.slice(0, i));
    });
    s.once('error', () => done(null));
  });
}

async function postJson(url: string, body: unknown, timeoutMs: number): Promise<unknown> {
  const r = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** etcd's /health through its HTTP port: true only when the member answers healthy within `timeoutMs`. */
export async function etcdHealthy(host: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const r = await fetch(`http://${host}:2379/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const j = (await r.json()) as { health?: string };
    return j.health === 'true';
  } catch {
    return false;
  }
}

/** Poll until every host is healthy; returns the hosts still unhealthy at the deadline (bounded in count too). */
export async function awaitEtcd(hosts: string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...hosts];
  for (let i = 0; i < 1000 && pending.length > 0 && Date.now() < deadline; i++) {
    const ok = await Promise.all(pending.map((h) => etcdHealthy(h)));
    pending = pending.filter((_, k) => !ok[k]);
    if (pending.length > 0) await new Promise((r) => setTimeout(r, 250));
  }
  return pending;
}

/**
 * Write a key through etcd's v3 JSON gateway (etcd 3.4 serves it at /v3). Tries again until `deadlineMs`: right
 * after a member is killed the rest may be electing a leader, and on a loaded machine that outlasts one attempt.
 */
export async function etcdPut(host: string, key: string, value: string, timeoutMs = 5000, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      await postJson(`http://${host}:2379/v3/kv/put`, { key: b64(key), value: b64(value) }, timeoutMs);
      return;
    } catch (e) {
      if (Date.now() + timeoutMs > end) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Read a key (a linearizable read unless serializable is asked); null when absent. */
export async function etcdGet(host: string, key: string, serializable = false, timeoutMs = 5000): Promise<string | null> {
  const j = (await postJson(`http://${host}:2379/v3/kv/range`, { key: b64(key), serializable }, timeoutMs)) as { kvs?: { value?: string }[] };
  const v = j.kvs?.[0]?.value;
  return v === undefined ? null : Buffer.from(v, 'base64').toString();
}
