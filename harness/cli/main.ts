/**
 * The faultline command line. commander parses; each subcommand lives in commands/ and returns its exit code.
 */
import { Command, CommanderError, Option } from 'commander';
import { packageVersion } from '../version.js';
import { CHECKER_NAMES } from './commands/checker-names.js';
import { MODEL_NAMES } from '../../checkers/txn/models.js';
import { describeError, exitCodeForError } from './errors.js';
import { EXIT } from '../../checkers/result.js';
import { MODELS } from '../../checkers/models/index.js';
import { DEFAULT_STORE } from '../../histories/store-dir.js';

const pkg = { version: packageVersion() };

// Each command's module (and what it pulls in: Docker and database clients, the logger, the progress bar) is
// loaded only when that command runs, so `--version`, `--help` and a small `check` start fast.
const commands = {
  run: () => import('./commands/run.js'),
  check: () => import('./commands/check.js'),
  convert: () => import('./commands/convert.js'),
  ls: () => import('./commands/ls.js'),
  cleanup: () => import('./commands/cleanup.js'),
  report: () => import('./commands/report.js'),
  serve: () => import('./commands/serve.js'),
  archive: () => import('./commands/archive.js'),
};

type AddRunOptions = (typeof import('./commands/run-options.js'))['addRunOptions'];

/**
 * The command line. `addRunOptions` is given only when the command is run, test or compare (or help on one):
 * their options name every target, fault and workload, and loading those costs more than all the rest of a
 * small `check`. Without it the three commands are still listed, with their descriptions.
 */
function program(setExit: (code: number) => void, addRunOptions: AddRunOptions = (cmd) => cmd): Command {
  const p = new Command('faultline')
    .description('Run a distributed system under faults, record what its clients saw, and check the history.')
    .version(pkg.version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 valid, 1 invalid, 2 unknown, 254 bad arguments or input, 255 the harness failed.
Examples:
  faultline run                                  built-in raft, 5 nodes, partitions and kills, ~30 s
  faultline run --config lww --workload set      the AP configuration of the same store
  faultline compare --configs raft,lww --seed 7  both, same seed, side by side
  faultline run --target maelstrom --bin ./node --workload broadcast --nemesis partition
  faultline test -w broadcast --bin ./node --node-count 25 --latency 100 --topology tree4 --max-msgs-per-op 30
  faultline check store/builtin-raft-register/latest
  faultline report latest                        report.html of the newest run (every run writes one)
  faultline serve                                browse stored runs at http://127.0.0.1:8080/
  faultline export latest -o run.tar.gz          a run with its report, to move elsewhere (faultline import)
  faultline check knossos/*.edn --model cas-register --initial 0
  faultline convert history.jsonl --to edn -o history.edn`,
    );

  addRunOptions(
    p
      .command('run')
      .description('Start a cluster, drive clients against it under faults, then check the history'),
  ).action(async (opts) => setExit(await (await commands.run()).runCommand(opts)));

  addRunOptions(
    p
      .command('test')
      .description(
        "Maelstrom's command line: `faultline test -w WORKLOAD --bin NODE` is `faultline run --target maelstrom` with Maelstrom's defaults (lin-kv, no faults, --rate 5, one client per node, --time-limit 60); --node-count, --latency, --topology and --log-stderr as in Maelstrom",
      ),
    { maelstrom: true },
  ).action(async (opts) => setExit(await (await commands.run()).runCommand(opts)));

  addRunOptions(
    p
      .command('compare')
      .description('Run several configurations of one target with the same seed and print them side by side'),
    { compare: true },
  ).action(async (opts) => setExit(await (await commands.run()).compareCommand(opts)));

  p.command('check')
    .description("Check histories: a stored run by its workload's own checkers, any other history (our JSONL, Jepsen EDN or JSON, jepsen.log lines) for linearizability or by --checker")
    .argument('<files...>', 'history files or stored run directories, plain or gzipped, or - for standard input (a file over 4 MB is read op by op in every format, never as one text; a big history is better given as a file than through a pipe, which is read whole)')
    .addOption(
      new Option('--checker <name>', 'what to check (default: list-append/rw-register for Elle txn ops, bank for transfers, set-full streamed for a set history over 64 MB, else linearizable)').choices(CHECKER_NAMES),
    )
    .option('--consistency-models <list>', `txn checkers: the models the history is held to, comma-separated (default strict-serializable; known: ${MODEL_NAMES.join(', ')})`)
    .option('--sequential-keys', 'rw-register: assume each key sequentially consistent, so each process saw its versions in order')
    .option('--linearizable-keys', 'rw-register: assume each key linearizable, so a txn saw versions no older than txns that ended before it began')
    .option('--accounts <list>', 'bank: the accounts every read must show (default: those of the first read)')
    .option('--total <n>', "bank: the total every read must sum to (default: the first read's)")
    .option('--negative-balances', 'bank: balances may go below zero')
    .option('--group-size <n>', 'long-fork: keys per read')
    .addOption(
      new Option('--model <model>', "check for linearizability against this data type, a stored run too (default: read off the op names; a stored run is judged by its workload's checkers)").choices(
        Object.keys(MODELS),
      ),
    )
    .option('--initial <json>', 'initial value as JSON (default null, or "" when the history rules null out; under kv every absent key starts at it)')
    .option('--timeout <seconds>', 'give up on a file after this long and answer unknown', '300')
    .option('--max-states <n>', 'give up after exploring this many search states and answer unknown')
    .option(
      '--max-memory <MB>',
      'resident memory of the whole check process (node itself, the loaded history, its paired and compiled ops, the search, the explanation); ' +
        'the search answers unknown (reason "memory: ...") before passing it, and reading the file stops with unknown ("..., while reading the history") once past it. ' +
        '(default: a quarter of RAM, at most 4096)',
    )
    .option('--workers <n>', 'worker threads for per-key checking (default: one per core)')
    .option('--independent', "treat Jepsen :value [k v] tuples as key and value (default: detected)")
    .option('--no-independent', 'never treat :value [k v] as a key and value')
    .option('--json', 'one JSON line per file: {"file","valid","ops","ms",...}')
    .option('--no-progress', 'no progress line on long checks')
    .action(async (files: string[], opts) => setExit(await (await commands.check()).checkCommand(files, opts)));

  p.command('convert')
    .description('Convert a history between faultline JSONL and Jepsen EDN (the input format is detected)')
    .argument('<input>', 'a history file or stored run directory')
    .requiredOption('--to <format>', 'edn or jsonl')
    .option('-o, --output <file>', 'write here instead of standard output')
    .option('--independent', "treat Jepsen :value [k v] tuples as key and value (default: detected)")
    .option('--no-independent', 'never treat :value [k v] as a key and value')
    .option('--json', 'print a JSON summary line (with -o)')
    .action(async (input: string, opts) => setExit(await (await commands.convert()).convertCommand(input, opts)));

  p.command('ls')
    .description('List stored runs, newest first')
    .option('--store <dir>', 'run store', DEFAULT_STORE)
    .option('--limit <n>', 'show at most this many')
    .option('--json', 'one JSON line per run')
    .action(async (opts) => setExit((await commands.ls()).lsCommand(opts)));

  p.command('show')
    .description("Print one stored run's summary")
    .argument('<run>', 'a run directory, <test>/<id>, <test> (its latest run) or latest')
    .option('--store <dir>', 'run store', DEFAULT_STORE)
    .option('--json', 'run.json and results.json as one JSON object')
    .action(async (run: string, opts) => setExit((await commands.ls()).showCommand(run, opts)));

  p.command('report')
    .description('Write report.html for a stored run (into its directory) or for a history file (beside it, checked on the way)')
    .argument('<run-or-file>', 'a run directory, <test>/<id>, <test>, latest, or a history file (JSONL, Jepsen EDN, jepsen.log)')
    .option('--store <dir>', 'run store', DEFAULT_STORE)
    .option('-o, --output <file>', 'write the report here instead')
    .option('--no-check', 'for a history file: draw it without checking it for linearizability')
    .option('--timeout <seconds>', 'for a history file: give up checking after this long (unknown)', '60')
    .option('--json', 'print {"report","bytes","ms","valid"}')
    .action(async (ref: string, opts) => setExit(await (await commands.report()).reportCommand(ref, opts)));

  p.command('serve')
    .description('Browse the run store in a web browser: runs newest first, filters, reports, histories, logs, comparisons')
    .option('--store <dir>', 'run store', DEFAULT_STORE)
    .option('--port <n>', 'port (0: any free port)', '8080')
    .option('--host <host>', 'address to listen on (loopback unless you mean to share the store)', '127.0.0.1')
    .action(async (opts) => setExit(await (await commands.serve()).serveCommand(opts)));

  p.command('export')
    .description('Pack a stored run (history, results, report, logs; not the nodes\' data) into a .tar.gz')
    .argument('<run>', 'a run directory, <test>/<id>, <test> (its latest run) or latest')
    .option('--store <dir>', 'run store', DEFAULT_STORE)
    .option('-o, --output <file>', 'the archive to write (required), e.g. run.tar.gz')
    .option('--json', 'print {"file","bytes","files"}')
    .action(async (run: string, opts) => setExit(await (await commands.archive()).exportCommand(run, opts)));

  p.command('import')
    .description('Unpack a run archive from `faultline export` into the store')
    .argument('<file>', 'a .tar.gz written by faultline export')
    .option('--store <dir>', 'run store', DEFAULT_STORE)
    .option('--json', 'print {"dir","test","id","files"}')
    .action(async (file: string, opts) => setExit(await (await commands.archive()).importCommand(file, opts)));

  p.command('cleanup')
    .description('Remove what crashed runs left behind: node processes, network namespaces, iptables rules, containers')
    .option('--run <id>', 'only this run')
    .option('--hosts <file>', "instead: the hosts of an ssh runtime's hosts file (processes by recorded PID, faultline's iptables chains, run folders)")
    .option('--json', 'one JSON line per removed thing')
    .action(async (opts) => setExit(await (await commands.cleanup()).cleanupCommand(opts)));

  return p;
}

const RUN_COMMANDS = new Set(['run', 'test', 'compare', 'help']);

/** The command argv names: the first word that is not an option (faultline's own options take no values). */
function commandOf(argv: readonly string[]): string | undefined {
  return argv.find((a) => !a.startsWith('-'));
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.valid;
  const addRunOptions = RUN_COMMANDS.has(commandOf(argv) ?? '') ? (await import('./commands/run-options.js')).addRunOptions : undefined;
  const p = program((c) => (code = c), addRunOptions);
  p.exitOverride();
  p.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const sub of p.commands) sub.exitOverride();
  try {
    await p.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? 0 : EXIT.badInput;
    }
    process.stderr.write(`faultline: ${describeError(err)}\n`);
    return exitCodeForError(err);
  }
}

/** Run the command line and end the process with its exit code. */
export async function start(argv: string[]): Promise<void> {
  // The reader of our output went away (`faultline --help | head -1`): nothing more can be said, so end
  // quietly, as other command-line tools do, rather than with an unhandled EPIPE and its stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
  const code = await main(argv);
  // Exit once stdout has drained (piped output is never cut short) even if a library left a handle open.
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}
