// Integration suites spawn compiled node programs (built-in targets, checker workers), so build once first.
// tsc emits even when a file has type errors; `npm run typecheck` is the gate for those, not the tests.
//
// The suite also gets a temp dir of its own (TMPDIR, inherited by every worker and every process a test
// starts), and the teardown fails the run when anything is left in it: every test removes what it creates,
// pass or fail, and this is where one that does not is caught (its leftovers are removed all the same).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (r.error) throw r.error;
  const systemTmp = tmpdir();
  const suiteTmp = mkdtempSync(join(systemTmp, 'faultline-suite-'));
  // mkdtemp makes it 0700; targets that run as their own user (postgres) must be able to pass through it to
  // the folders their tests open up (cluster-context.ts makes those 0755). Others may enter, not list.
  chmodSync(suiteTmp, 0o711);
  process.env.TMPDIR = suiteTmp;
  return () => {
    process.env.TMPDIR = systemTmp;
    const left = readdirSync(suiteTmp);
    rmSync(suiteTmp, { recursive: true, force: true });
    if (left.length > 0) {
      // vitest reports an error thrown here but still exits 0: set the exit code too.
      process.exitCode = 1;
      throw new Error(`the test suite left ${left.length} entries in its temp dir (every test must remove what it creates): ${left.slice(0, 10).join(', ')}`);
    }
  };
}
