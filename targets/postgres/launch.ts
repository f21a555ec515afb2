/**
 * How one PostgreSQL node is started: Debian's postgresql 15 binaries run directly (no system service, no
 * pg_ctlcluster) as the `postgres` user, through a small shell script that prepares the data folder and
 * then execs the postmaster, so the node's PID is the postmaster's own.
 *
 * A node's folder holds, besides the data directory `pg/`:
 *   - postgresql.conf, pg_hba.conf, pg_ident.conf: written by the harness at every start, outside the data
 *     directory, because pg_basebackup and pg_rewind copy the data directory's own files from another node;
 *   - standby.conf: `primary_conninfo` for the current primary (rewritten by the failover manager, then
 *     reloaded), included from postgresql.conf;
 *   - primary: the address of the current primary, which the start script reads for pg_basebackup / pg_rewind;
 *   - rejoin: present when the node may hold WAL the new primary lacks (an old primary, or a standby left on
 *     the minority side of a failover): the start script rewinds it onto the new primary's timeline first.
 */
import { chownSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { InputError } from '../../histories/errors.js';
import type { LaunchSpec, Launcher } from '../../harness/kernel/runtime.js';
import type { NodeId } from '../../harness/runtime.js';

export const PG_BIN_DIR = '/usr/lib/postgresql/15/bin';
/** The server program where Debian's postgresql-15 puts it; a host of the ssh runtime may name its own (bin.postgres). */
export const PG_POSTGRES = `${PG_BIN_DIR}/postgres`;
export const PG_PORT = 5432;
export const PG_USER = 'postgres';

export function quorum(nodeCount: number): number {
  return Math.floor(nodeCount / 2) + 1;
}

/**
 * In `sync`, a commit waits until this many standbys have applied it. Primary plus these standbys make a
 * majority, so every majority the failover manager promotes from holds each acknowledged commit (for 3
 * nodes this is the `ANY 1` of the issue; for 5 it is `ANY 2`).
 */
export function syncStandbys(nodeCount: number): number {
  return quorum(nodeCount) - 1;
}

export interface PgPaths {
  dir: string;
  data: string;
  conf: string;
  standbyConf: string;
  primaryFile: string;
  rejoinFile: string;
}

export function pgPaths(nodeDir: string): PgPaths {
  return {
    dir: nodeDir,
    data: join(nodeDir, 'pg'),
    conf: join(nodeDir, 'postgresql.conf'),
    standbyConf: join(nodeDir, 'standby.conf'),
    primaryFile: join(nodeDir, 'primary'),
    rejoinFile: join(nodeDir, 'rejoin'),
  };
}

/** The connection string a standby on `node` streams from `primaryAddr` with (its application_name names it). */
export function primaryConninfo(node: NodeId, primaryAddr: string): string {
  return `host=${primaryAddr} port=${PG_PORT} user=${PG_USER} application_name=${node} connect_timeout=2`;
}

export function standbyConf(node: NodeId, primaryAddr: string): string {
  return `# written by faultline: the primary this standby streams from\nprimary_conninfo = '${primaryConninfo(node, primaryAddr)}'\n`;
}

export interface PgConfOptions {
  node: NodeId;
  listen: string;
  sync: boolean;
  nodes: readonly NodeId[];
}

export function postgresqlConf(p: PgPaths, o: PgConfOptions): string {
  const lines = [
    `# faultline postgres node ${o.node}: written at every start; node-specific settings live here, not in pg/`,
    `data_directory = '${p.data}'`,
    `hba_file = '${join(p.dir, 'pg_hba.conf')}'`,
    `ident_file = '${join(p.dir, 'pg_ident.conf')}'`,
    `listen_addresses = '${o.listen}'`,
    `port = ${PG_PORT}`,
    // No Unix socket: every client, replication included, uses TCP through the namespace's interface.
    "unix_socket_directories = ''",
    `cluster_name = '${o.node}'`,
    'max_connections = 100',
    'shared_buffers = 32MB',
    'wal_level = replica',
    'max_wal_senders = 10',
    "wal_keep_size = '256MB'",
    'hot_standby = on',
    // pg_rewind needs hint bits WAL-logged (checksums are on too) to bring an old primary back.
    'wal_log_hints = on',
    // The docker image leaves out the LLVM JIT (and the workloads' queries are far too small to use it).
    'jit = off',
    // Notice a silent peer within seconds, as the failover manager's timing assumes (shorter timeouts cut
    // healthy streams on a loaded 2-core machine).
    "wal_receiver_timeout = '4s'",
    "wal_sender_timeout = '4s'",
    "wal_retrieve_retry_interval = '500ms'",
    "recovery_target_timeline = 'latest'",
    // Faults here are process kills, which never lose what the kernel already holds; fsync would only make
    // this loaded machine slower without changing any outcome the harness can provoke.
    'fsync = off',
    "log_min_messages = 'warning'",
    "log_line_prefix = '%m [%p] '",
  ];
  if (o.sync) {
    lines.push('synchronous_commit = remote_apply');
    lines.push(`synchronous_standby_names = 'ANY ${syncStandbys(o.nodes.length)} (${o.nodes.join(', ')})'`);
  } else {
    lines.push('synchronous_commit = on', "synchronous_standby_names = ''");
  }
  lines.push(`include_if_exists = '${p.standbyConf}'`);
  return lines.join('\n') + '\n';
}

// Trust on the run's private network only (a /24 the runtime made, or loopback): no passwords to manage.
const HBA = ['host all all 0.0.0.0/0 trust', 'host replication all 0.0.0.0/0 trust', ''].join('\n');

/**
 * The start script. `$1` is the role: `primary` (initdb on a first start), or `standby` (pg_basebackup on a
 * first start, pg_rewind when a rejoin is pending; both retried until the primary answers). `$2` is the node's
 * folder, `$3` the folder of the PostgreSQL programs.
 */
export const START_SCRIPT = `
set -u
ROLE=$1; DIR=$2; B=$3
D="$DIR/pg"
primary() { cat "$DIR/primary"; }
empty() { [ ! -s "$D/PG_VERSION" ]; }
if [ "$ROLE" = primary ]; then
  if empty; then "$B/initdb" -N -D "$D" -U ${PG_USER} --auth=trust -k -E UTF8 --no-locale --no-instructions || exit 1; fi
  rm -f "$D/standby.signal"
else
  if empty; then
    until "$B/pg_basebackup" -h "$(primary)" -p ${PG_PORT} -U ${PG_USER} -D "$D" -X stream -c fast -w; do
      rm -rf "$D"; mkdir -m 700 "$D"; sleep 0.5
    done
  elif [ -e "$DIR/rejoin" ]; then
    tries=0
    # A checkpoint on the source first: its pg_control names a new timeline only after one (see failover.ts).
    until "$B/psql" -q -h "$(primary)" -p ${PG_PORT} -U ${PG_USER} -d postgres -c CHECKPOINT >/dev/null && "$B/pg_rewind" -D "$D" --source-server="host=$(primary) port=${PG_PORT} user=${PG_USER} dbname=postgres connect_timeout=2"; do
      # Rewinding can fail for good (WAL it needs already recycled); once the primary answers and it has
      # failed a few times, take a fresh copy instead.
      if "$B/pg_isready" -q -h "$(primary)" -p ${PG_PORT} -t 2; then tries=$((tries+1)); fi
      if [ $tries -ge 3 ]; then
        rm -rf "$D"; mkdir -m 700 "$D"
        until "$B/pg_basebackup" -h "$(primary)" -p ${PG_PORT} -U ${PG_USER} -D "$D" -X stream -c fast -w; do
          rm -rf "$D"; mkdir -m 700 "$D"; sleep 0.5
        done
        break
      fi
      sleep 1
    done
    rm -f "$DIR/rejoin"
  fi
  touch "$D/standby.signal"
fi
exec "$B/postgres" -c config_file="$DIR/postgresql.conf"
`;

/**
 * A shell function that prints the folder of a host's PostgreSQL programs: that of `$1` (the host's
 * bin.postgres, or Debian's postgresql-15 path) when it is there, else the newest of Debian's
 * /usr/lib/postgresql/<version>/bin (a host may run another major version than this machine).
 */
export const PG_FIND_BIN = `pg_bin() {
  if [ -x "$1" ]; then dirname "$1"; return 0; fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/postgres" ]; then echo "$d"; return 0; fi
  done
  return 1
}`;

/**
 * On a host of the ssh runtime the node starts as root through this script: it finds the programs
 * (PG_FIND_BIN), gives the node's folder to the postgres user (the runtime made it as root), and execs the
 * start script as that user, so the recorded PID stays the postmaster's. `$1` node folder, `$2` role, `$3` the
 * host's postgres program, `$4` the start script.
 */
export const REMOTE_PREP_SCRIPT = `
set -u
DIR=$1; ROLE=$2
${PG_FIND_BIN}
B=$(pg_bin "$3") || { echo "postgres target: no PostgreSQL server at $3 or in /usr/lib/postgresql/*/bin on this host" >&2; exit 1; }
mkdir -p "$DIR/pg" && chown ${PG_USER}:${PG_USER} "$DIR" "$DIR/pg" && chmod 700 "$DIR/pg" || exit 1
exec setpriv --reuid=${PG_USER} --regid=${PG_USER} --init-groups /bin/sh -c "$4" pg-start "$ROLE" "$DIR" "$B"
`;

/**
 * What an ssh host must offer before a run starts there; prints one problem per line. `$1` is the host's
 * postgres program, `$2` the host's folder for runs (made later by the runtime, as root, if it is missing).
 */
export const HOST_CHECK_SCRIPT = `
set -u
${PG_FIND_BIN}
id -u ${PG_USER} >/dev/null 2>&1 || echo "no ${PG_USER} user (install Debian's postgresql)"
pg_bin "$1" >/dev/null || echo "no PostgreSQL server at $1 or in /usr/lib/postgresql/*/bin (install Debian's postgresql, or give bin.postgres in the hosts file)"
command -v setpriv >/dev/null 2>&1 || echo "missing setpriv (Debian's util-linux)"
d=$2
while [ ! -e "$d" ] && [ "$d" != / ]; do d=$(dirname "$d"); done
if id -u ${PG_USER} >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
  setpriv --reuid=${PG_USER} --regid=${PG_USER} --init-groups /bin/sh -c 'cd "$1"' pg-check "$d" 2>/dev/null ||
    echo "the ${PG_USER} user cannot enter $d, where the run's data would live: give the host a dir: below folders others may enter (chmod o+x on each)"
fi
exit 0
`;

/** The postgres user's uid and gid, looked up once. */
let owner: { uid: number; gid: number } | null = null;
function pgOwner(): { uid: number; gid: number } {
  if (owner) return owner;
  try {
    const uid = Number(execFileSync('id', ['-u', PG_USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', PG_USER], { encoding: 'utf8' }).trim());
    owner = { uid, gid };
    return owner;
  } catch {
    throw new InputError(`postgres target: no "${PG_USER}" user here; install Debian's postgresql-15 (scripts/install-targets.sh)`);
  }
}

/**
 * The server runs as the postgres user, which must be able to reach its folder: refuse, with a clear way out,
 * a data folder below a directory others cannot enter (such as /root or a mkdtemp folder).
 */
export function checkReachable(dataDir: string): void {
  let dir = dataDir;
  for (let i = 0; i < 64; i++) {
    if (existsSync(dir)) {
      const mode = statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        throw new InputError(
          `postgres target: PostgreSQL runs as the "${PG_USER}" user, which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}); ` +
            'use a --store below a folder others may enter (e.g. --store /var/tmp/faultline) or run `chmod o+x` on it',
        );
      }
    }
    const up = dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}

export interface PgLauncherState {
  /** The node the harness currently routes writes to. */
  primary(): NodeId;
  sync: boolean;
  /** Where the node's host has its postgres program (ssh: the host's bin.postgres, else Debian's path). */
  programOf?(node: NodeId): string;
  /** Each node's folder as the launcher was last given it (on ssh, a path on the node's host). */
  nodeDirs?: Map<NodeId, string>;
}

/** The files of a node's folder the harness writes at every start, by name. */
function nodeFiles(node: NodeId, ctx: { addr: string; peers: Record<NodeId, string> }, p: PgPaths, state: PgLauncherState, nodes: readonly NodeId[], listen: string): Record<string, string> {
  const primary = state.primary();
  return {
    'postgresql.conf': postgresqlConf(p, { node, listen, sync: state.sync, nodes }),
    'pg_hba.conf': HBA,
    'pg_ident.conf': '',
    primary: `${ctx.peers[primary]}\n`,
    'standby.conf': node === primary ? '' : standbyConf(node, ctx.peers[primary]),
  };
}

export function postgresLauncher(nodes: readonly NodeId[], state: PgLauncherState, listenAll = false): Launcher {
  return (node, ctx) => {
    const p = pgPaths(ctx.dataDir);
    state.nodeDirs?.set(node, ctx.dataDir);
    const role = node === state.primary() ? 'primary' : 'standby';
    const listen = listenAll ? '*' : `${ctx.addr},127.0.0.1`;
    const files = nodeFiles(node, ctx, p, state, nodes, listen);
    // libfaketime is not loaded: clock faults are left out for postgres (see the target's fault list).
    if (ctx.remote) {
      // The runtime writes the files on the host (as root; they are for the postgres user to read), and
      // REMOTE_PREP_SCRIPT hands the folder to that user before the start script runs as it.
      return {
        name: 'postgres',
        command: '/bin/sh',
        args: ['-c', REMOTE_PREP_SCRIPT, 'pg-prep', p.dir, role, state.programOf?.(node) ?? PG_POSTGRES, START_SCRIPT],
        clock: 'none',
        files: Object.entries(files).map(([name, content]) => ({ path: `${p.dir}/${name}`, content })),
      };
    }
    const { uid, gid } = pgOwner();
    mkdirSync(p.data, { recursive: true, mode: 0o700 });
    chownSync(p.dir, uid, gid);
    chownSync(p.data, uid, gid);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(p.dir, name), content);
    const spec: LaunchSpec = {
      name: 'postgres',
      command: '/usr/bin/setpriv',
      args: [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '/bin/sh', '-c', START_SCRIPT, 'pg-start', role, p.dir, PG_BIN_DIR],
      clock: 'none',
    };
    return spec;
  };
}
