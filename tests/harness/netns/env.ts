/**
 * Whether the netns suites can run here: they need root and the installed binaries. Without them the
 * suites skip with a hint, except on CI (CI=true), where a missing binary is a failure.
 */
import { accessSync, constants } from 'node:fs';
import { describe, it } from 'vitest';

const SEARCH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** A bare name is looked up in the usual folders; an absolute path is checked as it is. */
export function findBinary(name: string): string | null {
  if (name.startsWith('/')) {
    try {
      accessSync(name, constants.X_OK);
      return name;
    } catch {
      return null;
    }
  }
  for (const dir of SEARCH) {
    try {
      accessSync(`${dir}/${name}`, constants.X_OK);
      return `${dir}/${name}`;
    } catch {
      /* next */
    }
  }
  return null;
}

export interface EnvCheck {
  ok: boolean;
  missing: string[];
  reason: string;
}

export function checkEnv(binaries: string[]): EnvCheck {
  const missing = binaries.filter((b) => findBinary(b) === null);
  const notRoot = typeof process.getuid === 'function' && process.getuid() !== 0;
  const reasons: string[] = [];
  if (notRoot) reasons.push('not running as root');
  if (missing.length) reasons.push(`missing ${missing.join(', ')}`);
  return {
    ok: reasons.length === 0,
    missing,
    reason: `${reasons.join('; ')}: run scripts/install-targets.sh as root to enable these tests`,
  };
}

/** describe() that skips (or on CI, fails for a missing binary) when the environment lacks what it needs. */
export function describeWithEnv(name: string, binaries: string[], body: () => void): void {
  const env = checkEnv(binaries);
  if (env.ok) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true' && env.missing.length > 0) {
    describe(name, () => {
      it('has the binaries it needs', () => {
        throw new Error(env.reason);
      });
    });
    return;
  }
  console.warn(`[${name}] skipped: ${env.reason}`);
  describe.skip(name, body);
}
