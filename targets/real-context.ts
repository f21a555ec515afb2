/** What every real-system target shares: the checks of the run it is asked to start, and its version probe. */
import { execFile } from 'node:child_process';
import { z } from 'zod';
import { InputError } from '../histories/errors.js';
import type { TargetContext } from '../harness/target.js';

export function validateRealContext(target: string, configs: readonly [string, ...string[]], ctx: TargetContext, workloads: readonly [string, ...string[]] = ['register', 'set']): void {
  const schema = z.object({
    nodes: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'node names are 1-16 letters, digits, _ or -')).min(1).max(9),
    config: z.enum(configs),
    workload: z.enum(workloads),
    runtime: z.enum(['netns', 'docker', 'ssh']),
  });
  const r = schema.safeParse(ctx);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(`${target} target: ${i.path.join('.') || 'context'}: ${i.message}`);
  }
  if (ctx.bug !== undefined) throw new InputError(`${target} target has no bugs to inject (got --bug ${ctx.bug})`);
}

/** The version a binary prints for `--version`, picked out by `pattern`'s first group; never throws. */
export function binaryVersion(bin: string, pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    execFile(bin, ['--version'], { timeout: 10_000 }, (err, stdout) => {
      const m = pattern.exec(String(stdout));
      resolve(m ? m[1] : `unknown (${err ? err.message : 'unrecognised --version output'})`);
    });
  });
}
