// Integration suites spawn compiled node programs (built-in targets, checker workers), so build once first.
// tsc emits even when a file has type errors; `npm run typecheck` is the gate for those, not the tests.
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (r.error) throw r.error;
}
