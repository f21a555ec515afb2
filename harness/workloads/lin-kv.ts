/** Maelstrom's lin-kv: the register workload under Maelstrom's name (the same ops, checkers and messages). */
import { register } from './register.js';
import type { Workload } from './workload.js';

export const linKv: Workload = { ...register, name: 'lin-kv' };
