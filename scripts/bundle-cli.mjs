// Builds the command line into one CommonJS file, dist/cli/faultline.cjs (with its source map), and warms
// its V8 code cache. Why: started from ~300 separate ES modules (ours, zod's, commander's...), node spent most
// of a small `check` resolving, reading and compiling modules; one file read once, compiled from a code cache,
// starts in a fraction of that. `npm run build` runs this after tsc (dist/ still holds the per-file build that
// the checker's worker threads, the link proxy and the built-in node program run from).
//
// Packages with native add-ons, data files or worker scripts of their own stay outside the bundle and are
// required at run time, and only by the command that needs them: in a CommonJS bundle, a module that is reached
// only through a dynamic import() (each command, each target) is initialised on first use.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'cli', 'faultline.cjs');

const external = [
  'dockerode', // through docker-modem: ssh2, with an optional native add-on
  'ssh2',
  'pg', // requires pg-native when asked to
  'etcd3', // gRPC and protobuf definitions loaded from files
  'ioredis',
  'nats',
  'pino', // its transports run in worker threads from its own files
  'cli-progress',
  'playwright-core',
  'uplot', // read as files (report.html inlines them), never imported
  'fast-check',
];

// zod's namespace object re-exports every locale it has (about 70 files, more than half of zod's code); we use
// none but English, which zod loads by itself. Dropping that re-export halves what a cold start compiles.
const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(build) {
    build.onLoad({ filter: /zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/^export \* as locales from .*$/m, ''),
      loader: 'js',
    }));
  },
};

// commander requires child_process (and with it net, dgram, ...) at load, only to spawn executable subcommands,
// which faultline never uses: require it when spawn is first called instead.
const commanderLazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(build) {
    build.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) return undefined; // another commander: bundle it as it is
      return { contents: text.replace(eager, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: 'js' };
    });
  },
};

await esbuild.build({
  entryPoints: [join(root, 'harness', 'cli', 'entry.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external,
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [zodWithoutLocales, commanderLazyChildProcess],
  // Our modules find their neighbours (worker scripts, assets) from import.meta.url; in the bundle that is the
  // bundle's own URL, and the modules that care know to look under dist/ from there.
  define: { 'import.meta.url': '__faultlineBundleUrl' },
  banner: { js: "const __faultlineBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});

// The linearizability checker's worker thread, bundled too (dist/cli/linear-worker.cjs): started from the
// per-file build, each worker resolved and compiled ~20 ES modules before its first key (~80 ms CPU a worker
// on this machine, against ~45 ms bundled). pool.ts starts this file when it is there.
await esbuild.build({
  entryPoints: [join(root, 'checkers', 'linear', 'worker.ts')],
  outfile: join(root, 'dist', 'cli', 'linear-worker.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  define: { 'import.meta.url': '__faultlineBundleUrl' },
  banner: { js: "const __faultlineBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});

// Keep the bundle pure ASCII. esbuild escapes non-ASCII characters in code (its default charset) but copies
// comments as written, and a single em dash in a comment made node decode all 2.3 MB as UTF-8 into a two-byte
// string: ~20 ms more to read at every start than an ASCII file, which V8 holds as one byte per character. Escaping
// the few characters left touches only comments (code has none left); on those lines the source map's columns
// after the character shift by a few places.
{
  const text = readFileSync(outfile, 'utf8');
  // eslint-disable-next-line no-control-regex
  const nonAscii = /[^\x00-\x7f]/g;
  if (nonAscii.test(text)) writeFileSync(outfile, text.replace(nonAscii, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

// Warm the code cache: check two small histories through bin/faultline.js, which writes
// dist/cli/faultline.cjs.cache when the cache is missing. The cache then holds the compiled code of what those
// checks ran (the JSONL and jepsen.log readers, the search, an explained anomaly), not only of the start-up.
rmSync(`${outfile}.cache`, { force: true });
const tmp = mkdtempSync(join(tmpdir(), 'faultline-build-'));
try {
  const jsonl = join(tmp, 'warm.jsonl');
  const ops = [
    { index: 0, type: 'invoke', f: 'write', value: 1, process: 0, time: 1 },
    { index: 1, type: 'ok', f: 'write', value: 1, process: 0, time: 2 },
    { index: 2, type: 'invoke', f: 'read', value: null, process: 1, time: 3 },
    { index: 3, type: 'ok', f: 'read', value: 1, process: 1, time: 4 },
  ];
  writeFileSync(jsonl, ops.map((op) => JSON.stringify(op)).join('\n') + '\n');
  // A stale read after a write, and a cas that timed out: not linearizable, so the explanation runs too.
  const log = join(tmp, 'warm.log');
  const lines = [
    [0, ':invoke', ':write', '1'], [0, ':ok', ':write', '1'], [1, ':invoke', ':read', 'nil'], [1, ':ok', ':read', '1'],
    [2, ':invoke', ':write', '2'], [2, ':ok', ':write', '2'], [3, ':invoke', ':cas', '[2 3]'], [1, ':invoke', ':read', 'nil'],
    [1, ':ok', ':read', '1'], [3, ':info', ':cas', '[2 3]', ':timeout'],
  ];
  writeFileSync(log, lines.map((fields) => `INFO  jepsen.util - ${fields.join('\t')}`).join('\n') + '\n');
  const r = spawnSync(process.execPath, [join(root, 'bin', 'faultline.js'), 'check', jsonl, log, '--model', 'cas-register', '--no-progress'], { encoding: 'utf8' });
  // 1: the log is not linearizable, as it should be; anything else means the bundle is broken.
  if (r.status !== 1) throw new Error(`the bundled CLI failed its warm-up check (exit ${r.status}): ${r.stderr}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
