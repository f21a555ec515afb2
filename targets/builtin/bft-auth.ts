/**
 * Message authentication for the built-in BFT store: every pair of nodes shares one HMAC-SHA256 key, derived
 * from the run's secret and the pair's names, and every node-to-node body carries a `mac` over sender,
 * receiver and body. A node holds only the keys of the pairs it belongs to, so a traitor can sign what it
 * sends but cannot make a message pass as another node's.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The environment variable a node reads its run's secret from (never on the command line, never logged). */
export const BFT_SECRET_ENV = 'FAULTLINE_BFT_SECRET';

/** The key nodes `a` and `b` share (the same either way round). */
export function pairKey(secret: string, a: string, b: string): Buffer {
  const [x, y] = a < b ? [a, b] : [b, a];
  return createHmac('sha256', secret).update(`pair\n${x}\n${y}`).digest();
}

function macOf(key: Buffer, src: string, dest: string, body: Record<string, unknown>): string {
  const { mac: _mac, ...rest } = body;
  return createHmac('sha256', key).update(`${src}\n${dest}\n${JSON.stringify(rest)}`).digest('base64url');
}

/** The body with its `mac` set for the link src -> dest. */
export function sign(key: Buffer, src: string, dest: string, body: Record<string, unknown>): Record<string, unknown> {
  return { ...body, mac: macOf(key, src, dest, body) };
}

export function verify(key: Buffer, src: string, dest: string, body: Record<string, unknown>): boolean {
  const mac = body.mac;
  if (typeof mac !== 'string') return false;
  const want = Buffer.from(macOf(key, src, dest, body));
  const got = Buffer.from(mac);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** What a traitor can do with the keys it holds: re-sign a body it changed, as itself, to one peer. */
export function traitorResigner(secret: string): (body: Record<string, unknown>, src: string, dest: string) => Record<string, unknown> {
  return (body, src, dest) => sign(pairKey(secret, src, dest), src, dest, body);
}
