/**
 * The workload table: every name in `WORKLOADS` (histories/run-record.ts) maps to its file here, and the
 * `Record` type makes a missing one a compile error. Everything that depends on the workload reads this
 * table (see workload.ts for how to add one).
 */
import type { WorkloadName } from '../target.js';
import { rngFor } from '../rng.js';
import type { Generator, GeneratorOptions } from '../generator.js';
import type { Workload } from './workload.js';
import { register } from './register.js';
import { linKv } from './lin-kv.js';
import { set } from './set.js';
import { broadcast } from './broadcast.js';
import { gCounter } from './g-counter.js';
import { pnCounter } from './pn-counter.js';
import { uniqueIds } from './unique-ids.js';
import { echo } from './echo.js';
import { kafka } from './kafka.js';
import { txnListAppend } from './txn-list-append.js';
import { txnRwRegister } from './txn-rw-register.js';

export const WORKLOAD_TABLE: Readonly<Record<WorkloadName, Workload>> = {
  register,
  'lin-kv': linKv,
  set,
  broadcast,
  'g-counter': gCounter,
  'pn-counter': pnCounter,
  'unique-ids': uniqueIds,
  echo,
  kafka,
  'txn-list-append': txnListAppend,
  'txn-rw-register': txnRwRegister,
};

export function workloadOf(name: WorkloadName): Workload {
  return WORKLOAD_TABLE[name];
}

/** The generator for one client slot, from the slot's own seeded stream. */
export function makeGenerator(slot: number, o: GeneratorOptions): Generator {
  return workloadOf(o.workload).generator(slot, o, rngFor(o.seed, `client-${slot}`));
}

export type { Workload, MaelstromFormat, Requester } from './workload.js';
