/**
 * Maelstrom's wire protocol: one JSON message per line, `{src, dest, body}`, where `body.type` names the
 * message and `msg_id` / `in_reply_to` pair requests with replies. Node programs read messages on stdin,
 * write them on stdout, and log on stderr. See jepsen-io/maelstrom doc/protocol.md.
 */
import { z } from 'zod';

export const BodySchema = z.looseObject({
  type: z.string().min(1),
  msg_id: z.number().int().optional(),
  in_reply_to: z.number().int().optional(),
});
export type Body = z.infer<typeof BodySchema>;

export const MessageSchema = z.object({
  src: z.string().min(1),
  dest: z.string().min(1),
  body: BodySchema,
});
export type Message = z.infer<typeof MessageSchema>;

export const InitBodySchema = z.looseObject({
  type: z.literal('init'),
  msg_id: z.number().int(),
  node_id: z.string().min(1),
  node_ids: z.array(z.string().min(1)).min(1),
});
export type InitBody = z.infer<typeof InitBodySchema>;

export const InitOkBodySchema = z.looseObject({
  type: z.literal('init_ok'),
  in_reply_to: z.number().int(),
});

export const ErrorBodySchema = z.looseObject({
  type: z.literal('error'),
  code: z.number().int(),
  text: z.string().optional(),
  in_reply_to: z.number().int().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Maelstrom's reserved error codes (0-999); codes from 1000 up are the node's own and always indefinite. */
export const ErrorCode = {
  timeout: 0,
  nodeNotFound: 1,
  notSupported: 10,
  temporarilyUnavailable: 11,
  malformedRequest: 12,
  crash: 13,
  abort: 14,
  keyDoesNotExist: 20,
  keyAlreadyExists: 21,
  preconditionFailed: 22,
  txnConflict: 30,
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;

/**
 * Codes whose error means the operation certainly did not (and never will) happen, per the table in
 * Maelstrom's doc/protocol.md. `timeout` (0) and `crash` (13) are indefinite, and so is every code not
 * listed here (Maelstrom: "custom error codes are always indefinite").
 */
const DEFINITE_CODES: ReadonlySet<number> = new Set([1, 10, 11, 12, 14, 20, 21, 22, 30]);

export function isDefiniteError(code: number): boolean {
  return DEFINITE_CODES.has(code);
}

const NAME_BY_CODE: ReadonlyMap<number, string> = new Map(
  Object.entries(ErrorCode).map(([name, code]) => [code, name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)]),
);

/** Maelstrom's name for a code (`temporarily-unavailable`), or `error-<code>` for a custom one. */
export function errorName(code: number): string {
  return NAME_BY_CODE.get(code) ?? `error-${code}`;
}

export function isErrorBody(body: { type: string }): body is ErrorBody {
  return body.type === 'error' && typeof (body as { code?: unknown }).code === 'number';
}

export function errorBody(code: number, text: string, inReplyTo?: number): ErrorBody {
  return inReplyTo === undefined ? { type: 'error', code, text } : { type: 'error', code, text, in_reply_to: inReplyTo };
}

/** The harness's own messages, beyond Maelstrom's, that faultline's built-in targets understand. */
export const FaultlineClockBodySchema = z.looseObject({
  type: z.literal('faultline_clock'),
  offset_ms: z.number().finite(),
});
export const FaultlineLocalReadBodySchema = z.looseObject({
  type: z.literal('faultline_local_read'),
  key: z.union([z.string(), z.number()]),
});
export const FaultlineLocalReadOkBodySchema = z.looseObject({
  type: z.literal('faultline_local_read_ok'),
  value: z.unknown(),
  exists: z.boolean(),
});

/** Node ids are `n1`.. for servers and `c1`.. for clients, as in Maelstrom. */
export function isClientId(id: string): boolean {
  return id.length > 1 && id.charCodeAt(0) === 0x63 /* c */;
}
