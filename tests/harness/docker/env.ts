/**
 * Whether the docker suites can run here: a Docker engine must answer (DOCKER_HOST, the standard socket, or
 * the private engine of scripts/dockerd.sh), and we must be root with nsenter and iptables (the fault layer).
 * Without them the suites skip and say why, except when CI=true and FAULTLINE_DOCKER=1 (CI started an
 * engine for them), where a missing engine is a failure.
 */
import { accessSync, constants } from 'node:fs';
import { describe, it } from 'vitest';
import { engineAnswers, engineOptions, type DockerOptions } from '../../../harness/docker/engine.js';

export interface DockerEnv {
  ok: boolean;
  url: string;
  /** How the suites reach the engine (the same lookup the runtime makes). */
  options: DockerOptions;
  reason: string;
}

function hasBinary(name: string): boolean {
  return ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => {
    try {
      accessSync(`${d}/${name}`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export async function checkDocker(): Promise<DockerEnv> {
  const reasons: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) reasons.push('not running as root');
  const missing = ['nsenter', 'iptables-restore', 'bash', 'timeout'].filter((b) => !hasBinary(b));
  if (missing.length) reasons.push(`missing ${missing.join(', ')}`);
  const engine = await engineAnswers(undefined, 5000);
  if (!engine.ok) reasons.push(engine.reason ?? `no Docker engine answers at ${engine.url}`);
  return { ok: reasons.length === 0, url: engine.url, options: engineOptions(), reason: reasons.join('; ') };
}

export function dockerRequired(): boolean {
  return process.env.CI === 'true' && process.env.FAULTLINE_DOCKER === '1';
}

/** describe() that skips without an engine (or fails, when CI said it started one). */
export function describeWithDocker(name: string, env: DockerEnv, body: () => void): void {
  if (env.ok) {
    describe(name, body);
    return;
  }
  if (dockerRequired()) {
    describe(name, () => {
      it('has a Docker engine (CI=true and FAULTLINE_DOCKER=1)', () => {
        throw new Error(`docker suite cannot run: ${env.reason}`);
      });
    });
    return;
  }
  console.warn(`[${name}] skipped: ${env.reason}. To run it: eval "$(scripts/dockerd.sh start)"; export DOCKER_HOST`);
  describe.skip(name, body);
}
