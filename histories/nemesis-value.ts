/**
 * The value a nemesis op carries (`start-<fault>` / `stop-<fault>`), defined once: the fault packages
 * (harness/faults/) write it, the checkers (fault windows, availability) and the report read it back through
 * these schemas. Every field is optional because a value says only what its fault is about; unknown fields
 * are kept, so a newer fault's value still reads.
 *
 * `effect` says what kind of harm a window does, declared by its fault package and stamped on every value the
 * nemesis writes, so a reader (the availability checker, the report) can tell that a fault takes nodes down
 * without knowing the fault by name. Histories written before the field existed are read through
 * `effectOf`, which knows the effects of the faults of that time.
 */
import { z } from 'zod';

/**
 * What a fault window does: takes whole nodes down for the window (they answer nobody: crashes, pauses, a
 * node stopped while its files are damaged), harms links between nodes (partitions, latency, loss), skews
 * clocks, or makes nodes lie.
 */
export const FAULT_EFFECTS = ['node-down', 'link', 'clock', 'byzantine'] as const;
export type FaultEffect = (typeof FAULT_EFFECTS)[number];

export const NodeListSchema = z.array(z.string());

/** A partition: node -> the nodes it drops messages from, and the disjoint sides where the shape has them. */
export const PartitionValueSchema = z.looseObject({
  shape: z.string().optional(),
  grudge: z.record(z.string(), NodeListSchema).optional(),
  components: z.array(NodeListSchema).optional(),
});

/** The design sketch also shows a bare grudge as a partition's value: `{"n1": ["n2","n3"]}`. */
export const BareGrudgeSchema = z.record(z.string(), NodeListSchema);

/** The nodes a node-targeted fault (kill, pause, clock, a traitor's lies) acts on. */
export const NodesValueSchema = z.looseObject({ nodes: NodeListSchema.optional() });

export const NemesisValueSchema = z.looseObject({
  /** What the window does (see FAULT_EFFECTS); a string, so a newer effect still reads. */
  effect: z.string().optional(),
  ...PartitionValueSchema.shape,
  ...NodesValueSchema.shape,
  /** Clock faults: node -> offset in ms. */
  offsets: z.record(z.string(), z.number()).optional(),
  /** Link faults. */
  latencyMs: z.number().optional(),
  jitterMs: z.number().optional(),
  loss: z.number().optional(),
  duplicate: z.number().optional(),
  /** Byzantine faults: who lies, how often, and whether to clients too. */
  traitors: NodeListSchema.optional(),
  rate: z.number().optional(),
  clients: z.boolean().optional(),
  /** On a stop: what the window did to messages (byzantine). */
  messages: z.unknown().optional(),
});
export type NemesisValue = z.infer<typeof NemesisValueSchema>;

/**
 * Effects of the faults that existed before values carried `effect`, for reading such histories (and
 * imported ones using the same names). New faults declare their effect in their package; never add here.
 */
const LEGACY_EFFECTS: Readonly<Record<string, FaultEffect>> = {
  partition: 'link',
  latency: 'link',
  loss: 'link',
  kill: 'node-down',
  pause: 'node-down',
  clock: 'clock',
  corrupt: 'byzantine',
  replay: 'byzantine',
  equivocate: 'byzantine',
  forge: 'byzantine',
  file: 'node-down',
};

/** The effect of a window of fault `kind` whose op carried `value`: the value's own word, else the legacy table. */
export function effectOf(kind: string, value: unknown): string | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const e = (value as { effect?: unknown }).effect;
    if (typeof e === 'string') return e;
  }
  return Object.hasOwn(LEGACY_EFFECTS, kind) ? LEGACY_EFFECTS[kind] : undefined;
}
