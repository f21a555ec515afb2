/**
 * The options `faultline run`, `faultline test` and `faultline compare` take. Apart from run.ts so that building the command line
 * does not load what a run needs (targets, the controller, Docker): main.ts loads run.ts only to run.
 */
import { Option, type Command } from 'commander';
import { ISOLATION_LEVELS, RUNTIMES, TOPOLOGIES, WORKLOADS } from '../../../histories/run-record.js';
import { AIMED_NAMES, FAULT_GROUPS, FAULT_NAMES } from '../../faults/index.js';
import { DEFAULT_STORE } from '../../../histories/store.js';
import { TARGET_NAMES } from '../../../targets/index.js';
import { MODEL_NAMES } from '../../../checkers/txn/models.js';
import { SET_LIKE_RATE } from '../../workloads/set-rate.js';

/**
 * Maelstrom's defaults, for `faultline test` (Maelstrom's own command line): its default workload, no faults,
 * a fault every 10 s when asked for, 5 requests a second, one client per node and Jepsen's 60 s.
 */
export const MAELSTROM_DEFAULTS = { target: 'maelstrom', workload: 'lin-kv', nemesis: 'none', nemesisInterval: '10', rate: '5', timeLimit: '60' };

export function addRunOptions(cmd: Command, o: { compare?: boolean; maelstrom?: boolean } = {}): Command {
  const d = o.maelstrom ? MAELSTROM_DEFAULTS : { target: 'builtin', workload: 'register', nemesis: 'partition,kill', nemesisInterval: '5', rate: undefined, timeLimit: '30' };
  cmd
    .addOption(new Option('--target <name>', 'system under test').choices(TARGET_NAMES).default(d.target))
    .option(o.compare ? '--configs <a,b,...>' : '--config <name>', o.compare ? 'configurations to compare (required)' : "the target's configuration (builtin: raft, lww, bft; etcd: cp, ap; redis: ap, wait; postgres: async, sync; nats: cp, direct-get)")
    .option('--bug <name>', 'turn on a deliberate bug in a built-in target (raft: stale-reads, early-ack, and for txn workloads txn-local-reads, split-txn, unseen-own-writes; lww: no-merge; bft: small-quorum)')
    .option('--bin <path>', 'a Maelstrom node program (with --target maelstrom)')
    .option('--image <image>', 'container image (docker runtime)')
    .option('--isolation <level>', `transaction isolation for SQL targets (postgres): ${ISOLATION_LEVELS.join(', ')}`)
    .addOption(new Option('--runtime <kind>', "where nodes run (default: the target's own); ssh: on the hosts of --hosts").choices([...RUNTIMES]))
    .option('--hosts <file>', 'ssh runtime: the hosts file (YAML or JSON: address, user, port, key of each host; see the README); --nodes defaults to its host count')
    .option('--nodes <n>', 'cluster size', '5')
    .option('--node-count <n>', "Maelstrom's name for --nodes")
    .addOption(new Option('-w, --workload <name>', 'what clients do').choices([...WORKLOADS]).default(d.workload))
    .option('--keys <n>', 'keys (registers or sets) the workload spreads over (broadcast, counters, unique-ids, echo: none)', '10')
    .option('--max-txn-length <n>', 'txn workloads: most micro-ops per transaction (default 4)')
    .option('--min-txn-length <n>', 'txn workloads: fewest micro-ops per transaction (default 1)')
    .option('--max-writes-per-key <n>', 'txn workloads: writes a key takes before clients move to fresh keys (default 32)')
    .option('--consistency-models <list>', `txn workloads: the models the run is held to, comma-separated (default strict-serializable; known: ${MODEL_NAMES.join(', ')})`)
    .option('--sequential-keys', 'txn-rw-register on a CP config: the checker assumes each key sequentially consistent (each process saw its versions in order)')
    .option('--linearizable-keys', 'txn-rw-register on a CP config: the checker assumes each key linearizable (a txn saw versions no older than txns that ended before it began)')
    .option('--concurrency <n>', `concurrent clients, or Kn for K per node as in Maelstrom${o.maelstrom ? ' (default: one per node, as Maelstrom)' : ''}`, o.maelstrom ? undefined : '10')
    .option(
      '--rate <ops>',
      `total ops per second across clients, or unlimited (default: ${d.rate === undefined ? `unlimited; ${SET_LIKE_RATE} for set and broadcast, whose whole-set reads grow the history with the square of the ops; ${MAELSTROM_DEFAULTS.rate}, Maelstrom's, with --target maelstrom` : `${d.rate}, Maelstrom's`})`,
      d.rate,
    )
    .option('--time-limit <s>', 'seconds of faults and load', d.timeLimit)
    .option('--nemesis <faults>', `comma-separated faults, or none: ${FAULT_NAMES.join(',')}; ${Object.entries(FAULT_GROUPS).map(([g, fs]) => `${g} = ${fs.join(',')}`).join('; ')}; aimed at the node the target names as primary when the window starts: ${AIMED_NAMES.join(',')}`, d.nemesis)
    .option('--nemesis-interval <s>', 'mean seconds each fault lasts, and between faults', d.nemesisInterval)
    .option('--latency <ms>', 'latency of every link all run long, in ms (sim; the latency fault adds to it)')
    .addOption(new Option('--topology <kind>', "neighbours the broadcast workload's topology message offers (default: every other node)").choices([...TOPOLOGIES]))
    .option('--max-msgs-per-op <n>', 'fail the run when server messages per client op exceed this (sim)')
    .option('--max-median-latency <ms>', 'fail the run when the median latency exceeds this (stable latency under broadcast)')
    .option('--availability <share>', "fail the run unless this share of client ops is answered: total (every op, Maelstrom's) or a number in (0, 1]")
    .option('--log-stderr', "copy the nodes' stderr to this terminal too (it always goes to nodes/<node>.log)")
    .option('--node-log-max <bytes>', 'cap on each nodes/<node>.log (sim); the run says when one was reached', String(16 * 1024 * 1024))
    .option('--op-timeout <s>', 'seconds before an op counts as unknown (info)', '1')
    .option('--quiescence <s>', 'seconds of fault-free load after the heal', '3')
    .option('--convergence-bound <s>', 'seconds the final reads may wait for nodes to agree', '10')
    .option('--max-ops <n>', 'upper bound on client ops', '1000000')
    .option('--traitors <f>', 'Byzantine faults: how many nodes lie (default: the most n >= 3f+1 allows, at least 1)')
    .option('--byzantine-clients', 'Byzantine faults: traitors also tamper with their replies to clients')
    .option('--seed <seed>', 'seed for every random choice (default: random, always printed)')
    .option('--store <dir>', 'run store', DEFAULT_STORE)
    .option('--keep-data', "keep the nodes' data directories (removed after the run by default; node logs always stay)")
    .option('--no-progress', 'no live progress line')
    .option('--json', 'print the outcome as JSON');
  if (o.compare) {
    cmd.option('--topologies <a,b,...>', `instead of --configs: the same broadcast load over each network shape (${TOPOLOGIES.join(', ')}), comparing how fast each converges`);
  }
  return cmd;
}
