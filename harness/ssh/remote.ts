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
import { netemRemoveScript } from './link-latency.js';

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

/** The process group of $pid, as a shell function (field 5 of /proc/PID/stat). */
const GROUP_OF = `group_of() { sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -d' ' -f3; }`;

/** Where Debian's start-stop-daemon lives (dpkg ships it, so every Debian host has it). */
export const START_STOP_DAEMON = '/usr/sbin/start-stop-daemon';

/**
 * Start one process under a supervisor with its PID recorded, and print "PID START SUPERVISOR" once the
 * program runs (or fail with the tail of its log).
 *
 * The supervisor is Debian's start-stop-daemon where the host has it (it detaches the program into a session
 * of its own and writes its PID), else setsid with a shell that writes its own PID and execs the program. The
 * PID is the program's own once its argv[0] is no longer the supervisor's or our shell's: the program itself, a
 * symlink to it, or the interpreter of a script, so a `bin.<target>` wrapper script works (one that execs the
 * real program keeps the PID; one that forks it keeps it in the same session and process group, which kill
 * and pause signal).
 * `group` runs the program with that group and no supplementary ones (the link proxies' nogroup).
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
  group?: number;
}): string {
  const ref = `${o.pidDir}/${o.name}.ref`;
  const envWords = Object.entries(o.env).map(([k, v]) => sq(`${k}=${v}`)).join(' ');
  const argv = [o.command, ...o.args].map(sq).join(' ');
  const ssdGroup = o.group === undefined ? '' : ` --group ${o.group}`;
  const setprivGroup = o.group === undefined ? '' : `setpriv --regid=${o.group} --clear-groups `;
  const inner = `echo $$ > ${sq(ref + '.pid')}; exec ${setprivGroup}env -i ${envWords} ${argv}`;
  return [
    'set -u',
    START_OF,
    `mkdir -p ${[...o.mkdirs, o.pidDir, o.cwd].map(sq).join(' ')}`,
    `[ -x ${sq(o.command)} ] || { echo "no program at ${o.command.replace(/"/g, '')}" >&2; exit 3; }`,
    `rm -f ${sq(ref + '.pid')}`,
    `cd ${sq(o.cwd)}`,
    `if [ -x ${START_STOP_DAEMON} ]; then`,
    `  sup=start-stop-daemon`,
    `  env -i ${envWords} ${START_STOP_DAEMON} --start --quiet --background --no-close --make-pidfile --pidfile ${sq(ref + '.pid')} --chdir ${sq(o.cwd)}${ssdGroup} --startas ${sq(o.command)} -- ${o.args.map(sq).join(' ')} >> ${sq(o.logFile)} 2>&1 < /dev/null || { echo "start-stop-daemon could not start ${o.name}; its log ends:" >&2; tail -n 5 ${sq(o.logFile)} >&2; exit 4; }`,
    'else',
    `  sup=setsid`,
    `  setsid sh -c ${sq(inner)} >> ${sq(o.logFile)} 2>&1 < /dev/null &`,
    'fi',
    'i=0; pid=""',
    `while [ $i -lt 200 ]; do`,
    `  [ -s ${sq(ref + '.pid')} ] && pid=$(cat ${sq(ref + '.pid')})`,
    '  if [ -n "$pid" ]; then',
    '    [ -d /proc/$pid ] || break',
    // Started once it is no longer the supervisor or our shell (`sh -c`, env, setpriv on the way to exec).
    `    a0=$(tr '\\0' '\\n' < /proc/$pid/cmdline 2>/dev/null | head -n 1)`,
    `    case "$a0" in ''|${START_STOP_DAEMON}|sh|env|setpriv) ;; *) st=$(start_of $pid); echo "$pid $st" > ${sq(ref)}; echo "$pid $st $sup"; exit 0;; esac`,
    '  fi',
    '  sleep 0.05; i=$((i+1))',
    'done',
    `echo "${o.name} did not start (pid \${pid:-none}); its log ends:" >&2; tail -n 5 ${sq(o.logFile)} >&2`,
    'exit 4',
  ].join('\n');
}

/**
 * Send `signal` to each "PID START" whose PID still has that start time: to its process group (the session
 * its supervisor made for it, which holds what it forked; start-stop-daemon's group is not numbered after the
 * PID), else the process alone; with `wait`, wait (bounded) until each KILLed process is gone. Prints one
 * line per process: "PID signalled", "PID gone" (already) or "PID alive" (still there after the wait).
 */
export function signalScript(refs: readonly { pid: number; startTime: string }[], signal: 'KILL' | 'STOP' | 'CONT', wait: boolean): string {
  const lines = ['set -u', START_OF, GROUP_OF];
  for (const r of refs) {
    const pid = String(r.pid);
    if (!/^\d+$/.test(pid) || !/^\d+$/.test(r.startTime)) continue;
    lines.push(
      `if [ "$(start_of ${pid})" = ${sq(r.startTime)} ]; then g=$(group_of ${pid}); if [ -n "$g" ] && [ "$g" -gt 1 ] && [ "$g" != "$(group_of $$)" ]; then kill -${signal} -- -$g 2>/dev/null || kill -${signal} ${pid} 2>/dev/null; else kill -${signal} ${pid} 2>/dev/null; fi; echo "${pid} signalled"; else echo "${pid} gone"; fi`,
    );
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
 * Remove faultline's chains and the jumps to them, and its netem qdisc, and nothing else: each jump is deleted by its exact
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
  // And faultline's netem qdisc, where a latency fault put one (link-latency.ts).
  lines.push(netemRemoveScript());
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
