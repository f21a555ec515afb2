/**
 * The shell scripts the ssh runtime runs on a host, as pure functions of their inputs (POSIX sh, Debian's
 * coreutils and procps-free: only /proc is read). Kept apart from the runtime so each can be read, and tested,
 * on its own.
 *
 * A host's folder (`dir` in the hosts file) holds one folder per run, `runs/<id>/`, with `data/<node>`,
 * `logs/`, `pids/<name>.ref` ("PID START" of each process it started: the PID and the kernel's start time of
 * that PID, so a recycled PID is never signalled) and `owner` (which harness process runs it).
 */
import { sq } from './pool.js';
import { LOSS_CHAIN, PARTITION_CHAIN } from '../kernel/iptables.js';
import { LINK_CHAIN } from '../kernel/link-latency.js';

export interface RunPaths {
  root: string;
  data: string;
  logs: string;
  pids: string;
}

export function runPaths(hostDir: string, runId: string): RunPaths {
  const root = `${hostDir}/runs/${runId}`;
  return { root, data: `${root}/data`, logs: `${root}/logs`, pids: `${root}/pids` };
}

/** The kernel's start time of $pid (field 22 of /proc/PID/stat), as a shell function. */
const START_OF = `start_of() { sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -d' ' -f20; }`;

/**
 * Start one process under setsid with its PID recorded: the shell that setsid starts writes its own PID and
 * then execs the program, so the PID in the file is the program's, and it leads its own process group (kill
 * and pause reach what it forks). Prints "PID START" once the program has replaced the shell, or fails with
 * the tail of its log.
 */
export function launchScript(o: {
  name: string;
  command: string;
  args: readonly string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  pidDir: string;
  mkdirs: readonly string[];
}): string {
  const ref = `${o.pidDir}/${o.name}.ref`;
  const envWords = Object.entries(o.env).map(([k, v]) => sq(`${k}=${v}`)).join(' ');
  const inner = `echo $$ > ${sq(ref + '.pid')}; exec env -i ${envWords} ${[o.command, ...o.args].map(sq).join(' ')}`;
  return [
    'set -u',
    START_OF,
    `mkdir -p ${[...o.mkdirs, o.pidDir, o.cwd].map(sq).join(' ')}`,
    `[ -x ${sq(o.command)} ] || { echo "no program at ${o.command.replace(/"/g, '')}" >&2; exit 3; }`,
    `rm -f ${sq(ref + '.pid')}`,
    `cd ${sq(o.cwd)}`,
    `setsid sh -c ${sq(inner)} >> ${sq(o.logFile)} 2>&1 < /dev/null &`,
    `want=$(readlink -f ${sq(o.command)})`,
    'i=0; pid=""',
    `while [ $i -lt 200 ]; do`,
    `  [ -s ${sq(ref + '.pid')} ] && pid=$(cat ${sq(ref + '.pid')})`,
    '  if [ -n "$pid" ]; then',
    '    [ -d /proc/$pid ] || break',
    '    [ "$(readlink /proc/$pid/exe 2>/dev/null)" = "$want" ] && { st=$(start_of $pid); echo "$pid $st" > ' + sq(ref) + '; echo "$pid $st"; exit 0; }',
    '  fi',
    '  sleep 0.05; i=$((i+1))',
    'done',
    `echo "${o.name} did not start (pid \${pid:-none}); its log ends:" >&2; tail -n 5 ${sq(o.logFile)} >&2`,
    'exit 4',
  ].join('\n');
}

/**
 * Send `signal` to each "PID START" whose PID still has that start time (its process group, else the process);
 * with `wait`, wait (bounded) until each KILLed process is gone. Prints one line per process: "PID signalled",
 * "PID gone" (already) or "PID alive" (still there after the wait).
 */
export function signalScript(refs: readonly { pid: number; startTime: string }[], signal: 'KILL' | 'STOP' | 'CONT', wait: boolean): string {
  const lines = ['set -u', START_OF];
  for (const r of refs) {
    const pid = String(r.pid);
    if (!/^\d+$/.test(pid) || !/^\d+$/.test(r.startTime)) continue;
    lines.push(`if [ "$(start_of ${pid})" = ${sq(r.startTime)} ]; then kill -${signal} -- -${pid} 2>/dev/null || kill -${signal} ${pid} 2>/dev/null; echo "${pid} signalled"; else echo "${pid} gone"; fi`);
  }
  if (wait) {
    for (const r of refs) {
      const pid = String(r.pid);
      if (!/^\d+$/.test(pid) || !/^\d+$/.test(r.startTime)) continue;
      lines.push(
        `i=0; while [ "$(start_of ${pid})" = ${sq(r.startTime)} ] && [ "$(sed 's/.*) //' /proc/${pid}/stat 2>/dev/null | cut -c1)" != Z ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done`,
        `[ "$(start_of ${pid})" = ${sq(r.startTime)} ] && [ "$(sed 's/.*) //' /proc/${pid}/stat 2>/dev/null | cut -c1)" != Z ] && echo "${pid} alive"`,
      );
    }
  }
  lines.push('exit 0');
  return lines.join('\n');
}

/** Every "PID START" recorded under a run's pids folder, one per line as "NAME PID START". */
export function listRefsScript(pidDir: string): string {
  return `for f in ${sq(pidDir)}/*.ref; do [ -f "$f" ] || continue; n=$(basename "$f" .ref); echo "$n $(cat "$f")"; done; exit 0`;
}

export const OUR_CHAINS = [
  { table: 'filter', chain: PARTITION_CHAIN, from: 'INPUT' },
  { table: 'filter', chain: LOSS_CHAIN, from: 'INPUT' },
  { table: 'nat', chain: LINK_CHAIN, from: 'OUTPUT' },
] as const;

/**
 * Remove faultline's chains and the jumps to them, and nothing else: each jump is deleted by its exact
 * specification, each chain flushed then deleted. Idempotent. Prints what is left of ours (nothing on success).
 */
export function removeChainsScript(): string {
  const lines = ['set -u'];
  for (const c of OUR_CHAINS) {
    lines.push(
      `i=0; while iptables -w -t ${c.table} -D ${c.from} -j ${c.chain} 2>/dev/null && [ $i -lt 50 ]; do i=$((i+1)); done`,
      `iptables -w -t ${c.table} -F ${c.chain} 2>/dev/null; iptables -w -t ${c.table} -X ${c.chain} 2>/dev/null`,
    );
  }
  lines.push(`{ iptables -w -S; iptables -w -t nat -S; } 2>/dev/null | grep -F -e ${OUR_CHAINS.map((c) => sq(c.chain)).join(' -e ')} || true`);
  return lines.join('\n');
}

/**
 * What a host must offer before a run touches it; prints one problem per line (nothing when all is well):
 * root (directly or through sudo), iptables that can save and restore the host's current rules (so what
 * faultline changes can be undone), no chains of ours left by another run, and the program to run.
 */
export function preflightScript(o: { programs: readonly string[]; needTools: readonly string[] }): string {
  const lines = [
    'set -u',
    '[ "$(id -u)" = 0 ] || echo "not root (set sudo: true in the hosts file for a user with passwordless sudo)"',
    ...o.needTools.map((t) => `command -v ${sq(t)} >/dev/null 2>&1 || echo ${sq(`missing ${t}`)}`),
    ...o.programs.map((p) => `[ -x ${sq(p)} ] || echo ${sq(`no program at ${p} (install the Debian package, or give its path under bin: in the hosts file)`)}`),
    'if command -v iptables-save >/dev/null 2>&1; then',
    '  for t in filter nat; do',
    '    s=$(iptables-save -t $t 2>&1) || { echo "iptables-save -t $t failed: $(echo "$s" | tail -n 1)"; continue; }',
    '    printf "%s\\n" "$s" | iptables-restore --test 2>/dev/null || echo "the $t table cannot be restored from its own iptables-save output: faultline will not touch its rules"',
    `    printf "%s\\n" "$s" | grep -q -e ${OUR_CHAINS.map((c) => sq(':' + c.chain)).join(' -e ')} && echo "chains of faultline (FAULTLINE-*) are already in the $t table: another run holds this host, or a crashed one left them (faultline cleanup --hosts FILE)"`,
    '  done',
    'fi',
    'exit 0',
  ];
  return lines.join('\n');
}
