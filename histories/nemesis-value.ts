/**
 * The value a nemesis op carries (`start-<fault>` / `stop-<fault>`), defined once: the fault packages
 * (harness/faults/) write it, the checkers (fault windows, availability) and the report read it back through
 * these schemas. Every field is optional because a value says only what its fault is about; unknown fields
 * are kept, so a newer fault's value still reads.
 */
import { z } from 'zod';

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
