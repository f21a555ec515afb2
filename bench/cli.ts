/**
 * `npm run bench [-- NAME [ARGS]]`: run one benchmark, or all of them. Benchmarks print figures; they never
 * fail on speed (speed goals are read by people, not asserted by tests).
 */
const BENCHES: Record<string, () => Promise<{ main(argv: string[]): Promise<void> }>> = {
  stream: () => import('./stream.js'),
  check: () => import('./check.js'),
  'check-whole': () => import('./check-whole.js'),
  'set-scale': () => import('./set-scale.js'),
  'wide-register': () => import('./wide-register.js'),
  'jepsen-parse': () => import('./jepsen-parse.js'),
  harness: () => import('./harness.js'),
  txn: () => import('./txn.js'),
  report: () => import('./report.js'),
  ssh: () => import('./ssh.js'),
};

const [name = 'all', ...rest] = process.argv.slice(2);
const names = name === 'all' ? Object.keys(BENCHES) : [name];
for (const n of names) {
  const load = BENCHES[n];
  if (!load) {
    console.error(`unknown benchmark "${n}"; benchmarks: ${Object.keys(BENCHES).join(', ')}, all`);
    process.exit(254);
  }
  console.log(`== ${n}`);
  // Each benchmark in its own process would isolate peak RSS; `npm run bench` does that (see package.json).
  await (await load()).main(rest);
}
