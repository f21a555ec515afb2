/**
 * Node->node latency on ssh hosts, decided host by host when a run asks for latency faults:
 *
 *  - netem, where the host's kernel has it (probed in a throwaway network namespace, `unshare -n`, so the
 *    probe changes nothing on the host) and the device towards the peers carries the kernel's default root
 *    qdisc: faultline puts its own qdisc there (a prio qdisc with handle fa17:, whose fourth band is a netem
 *    delay and receives only packets to the peers' addresses, by u32 filters), and deletes it when the delay
 *    goes back to 0, at teardown and in `faultline cleanup --hosts`, which restores the kernel's default;
 *  - else the link proxies (kernel/link-latency.ts's program, copied to the host and run with the host's own
 *    node under the same supervisor as a node, group nogroup), with the same nat REDIRECT rules in faultline's
 *    FAULTLINE-LAT chain as netns; the delay is set through a control file the proxy polls, and confirmed by
 *    the `.applied` copy it writes back;
 *  - else latency is refused (UnsupportedFault) naming the hosts that have neither.
 *
 * The scripts are pure functions, as in remote.ts.
 */
import { sq } from './pool.js';

/** Handles of faultline's qdiscs: the prio root and its netem band. */
export const QDISC_HANDLE = 'fa17:';
export const NETEM_HANDLE = 'fa18:';

/** Root qdiscs the kernel sets by itself (handle 0:), which faultline may replace and then restore by deleting its own. */
const DEFAULT_ROOTS = ['noqueue', 'pfifo_fast', 'fq_codel', 'mq', 'fq', 'pfifo', 'sfq', 'cake'];

export interface LinkProbe {
  netem: boolean;
  /** Device towards each peer address. */
  devs: Map<string, string>;
  /** Each device's root qdisc line, as `tc qdisc show dev D root` prints it. */
  roots: Map<string, string>;
  /** The node program and its version, or null when the host has none. */
  node: { path: string; version: string } | null;
}

/** Print what the host offers for link latency: netem, the route to each peer, root qdiscs, node. */
export function probeScript(peers: readonly string[], nodeProgram: string): string {
  return [
    'set -u',
    'if command -v tc >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1 && unshare -n tc qdisc add dev lo root netem delay 1ms >/dev/null 2>&1; then echo "netem yes"; else echo "netem no"; fi',
    `for p in ${peers.map(sq).join(' ')}; do`,
    `  d=$(ip -o route get "$p" 2>/dev/null | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p' | head -n 1)`,
    '  echo "dev $p ${d:-none}"',
    '  [ -n "$d" ] && command -v tc >/dev/null 2>&1 && echo "root $d $(tc qdisc show dev "$d" root 2>/dev/null | head -n 1)"',
    'done',
    `n=$(command -v ${sq(nodeProgram)} 2>/dev/null) && echo "node $n $("$n" --version 2>/dev/null | head -n 1)" || echo "node none"`,
    'exit 0',
  ].join('\n');
}

export function parseProbe(out: string): LinkProbe {
  const p: LinkProbe = { netem: false, devs: new Map(), roots: new Map(), node: null };
  for (const line of out.split('\n')) {
    const w = line.trim().split(/\s+/);
    if (w[0] === 'netem') p.netem = w[1] === 'yes';
    else if (w[0] === 'dev' && w.length >= 3 && w[2] !== 'none') p.devs.set(w[1], w[2]);
    else if (w[0] === 'root' && w.length >= 2) p.roots.set(w[1], w.slice(2).join(' '));
    else if (w[0] === 'node' && w[1] !== 'none' && w.length >= 2) p.node = { path: w[1], version: w[2] ?? '' };
  }
  return p;
}

/** Why faultline may not put its qdisc on this device, or null when it may (a kernel default, or its own). */
export function rootQdiscProblem(dev: string, root: string | undefined): string | null {
  if (root === undefined || root === '') return `the root qdisc of ${dev} could not be read`;
  const m = /^qdisc (\S+) (\S+) root\b/.exec(root);
  if (!m) return `the root qdisc of ${dev} could not be read ("${root.slice(0, 80)}")`;
  if (m[2] === QDISC_HANDLE) return null;
  if (m[2] === '0:' && DEFAULT_ROOTS.includes(m[1])) return null;
  return `${dev} has a root qdisc of the host's own (${m[1]} ${m[2]}), which faultline will not replace`;
}

/** The node version's major number, or 0 when it cannot be read. */
export function nodeMajor(version: string): number {
  const m = /^v?(\d+)\./.exec(version);
  return m ? Number(m[1]) : 0;
}

/**
 * Put faultline's netem qdisc on each device, delaying only packets to the given peers; replaces its own on a
 * second call (a new delay), never another.
 */
export function netemApplyScript(devPeers: ReadonlyMap<string, readonly string[]>, latencyMs: number, jitterMs: number): string {
  const delay = `delay ${Math.round(latencyMs)}ms${jitterMs > 0 ? ` ${Math.round(jitterMs)}ms` : ''}`;
  const lines = ['set -eu'];
  for (const [dev, peers] of devPeers) {
    const d = sq(dev);
    lines.push(
      `tc qdisc replace dev ${d} root handle ${QDISC_HANDLE} prio bands 4 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1`,
      `tc qdisc replace dev ${d} parent ${QDISC_HANDLE}4 handle ${NETEM_HANDLE} netem ${delay}`,
      `tc filter del dev ${d} parent ${QDISC_HANDLE} 2>/dev/null || true`,
      ...peers.map((p) => `tc filter add dev ${d} parent ${QDISC_HANDLE} protocol ip prio 1 u32 match ip dst ${sq(p + '/32')} flowid ${QDISC_HANDLE}4`),
    );
  }
  return lines.join('\n');
}

/**
 * Delete faultline's root qdisc wherever it is on the host (the kernel puts its default back); prints the
 * devices where it is still there. Idempotent, and a no-op on hosts without tc.
 */
export function netemRemoveScript(): string {
  return [
    'if command -v tc >/dev/null 2>&1; then',
    '  for d in $(ls /sys/class/net 2>/dev/null); do',
    `    if tc qdisc show dev "$d" root 2>/dev/null | grep -q '^qdisc prio ${QDISC_HANDLE} '; then`,
    '      tc qdisc del dev "$d" root 2>/dev/null',
    `      tc qdisc show dev "$d" root 2>/dev/null | grep -q '^qdisc prio ${QDISC_HANDLE} ' && echo "qdisc ${QDISC_HANDLE} on $d"`,
    '    fi',
    '  done',
    'fi',
    'true',
  ].join('\n');
}

/** Copy files to a folder on the host in one session (base64, so any content passes through the shell). */
export function copyFilesScript(dir: string, files: readonly { name: string; content: string }[]): string {
  const lines = ['set -eu', `mkdir -p ${sq(dir)}`];
  for (const f of files) {
    if (!/^[A-Za-z0-9._-]+$/.test(f.name)) throw new Error(`bad file name ${f.name}`);
    lines.push(`base64 -d > ${sq(`${dir}/${f.name}`)} <<'FAULTLINE_EOF'`, Buffer.from(f.content, 'utf8').toString('base64').replace(/(.{76})/g, '$1\n'), 'FAULTLINE_EOF');
  }
  return lines.join('\n');
}

/** Write the proxy's control file and wait (bounded) until the proxy says it applied it. */
export function setProxyDelayScript(control: string, latencyMs: number, jitterMs: number, waitMs = 5000): string {
  const text = JSON.stringify({ latencyMs, jitterMs });
  const tries = Math.max(1, Math.ceil(waitMs / 50));
  return [
    'set -u',
    `printf '%s\\n' ${sq(text)} > ${sq(control + '.tmp')} && mv ${sq(control + '.tmp')} ${sq(control)}`,
    `i=0; while [ "$(cat ${sq(control + '.applied')} 2>/dev/null)" != ${sq(text)} ] && [ $i -lt ${tries} ]; do sleep 0.05; i=$((i+1)); done`,
    `[ "$(cat ${sq(control + '.applied')} 2>/dev/null)" = ${sq(text)} ] || { echo "the link proxy did not apply ${text.replace(/"/g, '')} within ${waitMs} ms" >&2; exit 1; }`,
  ].join('\n');
}
