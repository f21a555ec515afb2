/** What every real-system target shares: the checks of the run it is asked to start, and its version probes. */
import { execFile } from 'node:child_process';
import { z } from 'zod';
import { InputError } from '../histories/errors.js';
import type { TargetContext } from '../harness/target.js';
import type { KernelRuntime } from '../harness/kernel/runtime.js';
import type { NodeId } from '../harness/runtime.js';

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

/**
 * The version the nodes run: what the binary where each node runs prints for `--version` (on ssh each host's
 * own, its `bin.<target>` if set; on docker the image's, inside the node's container), since this machine's
 * copy says nothing about theirs; nodes that differ are listed by version ("3.4.30 on n1, n2; 3.5.1 on n3").
 * On netns the nodes run this machine's binary. `argvOf` replaces `bin --version` where a target finds its
 * program on the host itself (postgres). Never throws.
 */
export async function nodesVersion(rt: KernelRuntime, nodes: readonly NodeId[], bin: string, pattern: RegExp, argvOf?: (node: NodeId) => string[]): Promise<string> {
  if (!rt.runProgram) return binaryVersion(bin, pattern);
  const runProgram = rt.runProgram.bind(rt);
  const per = await Promise.all(
    nodes.map(async (n) => {
      try {
        const m = pattern.exec(await runProgram(n, argvOf?.(n) ?? [rt.programOf?.(n, bin) ?? bin, '--version']));
        // The host's output is untrusted: a version is one short token.
        return m ? m[1].slice(0, 64) : 'unknown (unrecognised --version output)';
      } catch (err) {
        return `unknown (${(err as Error).message.split('\n')[0].slice(0, 200)})`;
      }
    }),
  );
  const byVersion = new Map<string, NodeId[]>();
  per.forEach((v, i) => byVersion.set(v, [...(byVersion.get(v) ?? []), nodes[i]]));
  return byVersion.size === 1 ? per[0] : [...byVersion].map(([v, ns]) => `${v} on ${ns.join(', ')}`).join('; ');
}
