/** Real-connection probes for the netns tests: from the harness process, and from inside a namespace. */
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { run } from '../../../harness/kernel/shell.js';

export const PROBE_SERVER = fileURLToPath(new URL('./fixtures/probe-server.mjs', import.meta.url));
export const TCP_PORT = 7000;
export const UDP_PORT = 7001;

export type Greeting = { name: string; udp: number; now: number };

/** Connect from the harness; resolves the greeting, or an error string (refused, timeout, ...). */
export function greet(host: string, port: number, timeoutMs = 3000): Promise<Greeting | string> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve('timeout');
    }, timeoutMs);
    s.on('data', (d) => (buf += String(d)));
    s.on('end', () => {
      clearTimeout(timer);
      const [name, udp, now] = buf.trim().split(' ');
      resolve({ name, udp: Number(udp), now: Number(now) });
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(e.code ?? e.message);
    });
  });
}

/** Open a TCP connection from inside `ns` to addr:port; true if it connected within the bound. */
export async function tcpFromNs(ns: string, addr: string, port: number, timeoutS = 3): Promise<boolean> {
  try {
    await run('ip', ['netns', 'exec', ns, 'timeout', String(timeoutS), 'bash', '-c', `exec 3<>/dev/tcp/${addr}/${port}`], { timeoutMs: (timeoutS + 5) * 1000 });
    return true;
  } catch {
    return false;
  }
}

/** Send a few UDP datagrams from inside `ns`. */
export async function udpFromNs(ns: string, addr: string, port: number, count = 3): Promise<void> {
  const script = Array.from({ length: count }, () => `echo x > /dev/udp/${addr}/${port}`).join('; ');
  await run('ip', ['netns', 'exec', ns, 'bash', '-c', script]);
}
