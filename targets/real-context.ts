/** The checks every real-system target makes of the run it is asked to start. */
import { z } from 'zod';
import { InputError } from '../histories/errors.js';
import type { TargetContext } from '../harness/target.js';

export function validateRealContext(target: string, configs: readonly [string, ...string[]], ctx: TargetContext): void {
  const schema = z.object({
    nodes: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'node names are 1-16 letters, digits, _ or -')).min(1).max(9),
    config: z.enum(configs),
    workload: z.enum(['register', 'set']),
    runtime: z.enum(['netns', 'docker']),
  });
  const r = schema.safeParse(ctx);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(`${target} target: ${i.path.join('.') || 'context'}: ${i.message}`);
  }
  if (ctx.bug !== undefined) throw new InputError(`${target} target has no bugs to inject (got --bug ${ctx.bug})`);
}
