/**
 * Decides the fate of each node-to-node message: dropped by the partition, lost, delayed, duplicated.
 *
 * Every link (ordered pair of nodes) has its own seeded random stream and every message draws the same
 * four numbers from it whatever faults are active, so the k-th message on a link meets the same fate for
 * a given seed no matter how messages on other links interleave with it.
 */
import seedrandom from 'seedrandom';
import { z } from 'zod';
import { InputError } from '../../histories/errors.js';
import { parseLinkFaults, type Grudge, type LinkFaults, type NodeId } from '../runtime.js';

const GrudgeSchema = z.record(z.string(), z.array(z.string()));

interface Link {
  readonly rng: seedrandom.PRNG;
  /** The destination's grudge lists the source. */
  blocked: boolean;
}

export type Fate = 'deliver' | 'partitioned' | 'lost';

export class LinkModel {
  private readonly links = new Map<NodeId, Map<NodeId, Link>>();
  private readonly clientRng: seedrandom.PRNG;
  private readonly serviceRng: seedrandom.PRNG;
  private latencyMs = 0;
  private jitterMs = 0;
  private loss = 0;
  private duplicate = 0;

  /** After `decide`, the delay of each copy to deliver (0, 1 or 2 copies). Reused to avoid allocation. */
  readonly delays: [number, number] = [0, 0];
  copies = 0;

  constructor(
    readonly nodes: readonly NodeId[],
    seed: string,
    /** Latency every link has all run long (Maelstrom's --latency), beneath whatever the latency fault adds. */
    private readonly baseLatencyMs = 0,
  ) {
    this.latencyMs = baseLatencyMs;
    for (const src of nodes) {
      const row = new Map<NodeId, Link>();
      for (const dest of nodes) row.set(dest, { rng: seedrandom.alea(`${seed}/link/${src}->${dest}`), blocked: false });
      this.links.set(src, row);
    }
    this.clientRng = seedrandom.alea(`${seed}/clients`);
    this.serviceRng = seedrandom.alea(`${seed}/services`);
  }

  setGrudge(grudge: Grudge): void {
    const parsed = GrudgeSchema.safeParse(grudge);
    if (!parsed.success) throw new InputError(`bad partition grudge: ${parsed.error.issues[0].message}`);
    for (const [dest, srcs] of Object.entries(parsed.data)) {
      if (!this.links.has(dest)) throw new InputError(`partition names unknown node "${dest}"`);
      for (const src of srcs) if (!this.links.has(src)) throw new InputError(`partition names unknown node "${src}"`);
    }
    for (const [src, row] of this.links) {
      for (const [dest, link] of row) link.blocked = parsed.data[dest]?.includes(src) ?? false;
    }
  }

  heal(): void {
    for (const row of this.links.values()) for (const link of row.values()) link.blocked = false;
  }

  setFaults(faults: LinkFaults | null): void {
    const f = parseLinkFaults(faults ?? {});
    this.latencyMs = this.baseLatencyMs + (f.latencyMs ?? 0);
    this.jitterMs = f.jitterMs ?? 0;
    this.loss = f.loss ?? 0;
    this.duplicate = f.duplicate ?? 0;
  }

  isBlocked(src: NodeId, dest: NodeId): boolean {
    return this.links.get(src)?.get(dest)?.blocked ?? false;
  }

  /** Decide one node-to-node message; on `deliver`, `copies` and `delays` say how. Unknown nodes: undefined. */
  decide(src: NodeId, dest: NodeId): Fate | undefined {
    const link = this.links.get(src)?.get(dest);
    if (link === undefined) return undefined;
    const rng = link.rng;
    const uLoss = rng();
    const uDup = rng();
    const uJitter1 = rng();
    const uJitter2 = rng();
    if (link.blocked) return 'partitioned';
    if (uLoss < this.loss) return 'lost';
    this.delays[0] = this.latencyMs + uJitter1 * this.jitterMs;
    if (uDup < this.duplicate) {
      this.copies = 2;
      this.delays[1] = this.latencyMs + uJitter2 * this.jitterMs;
    } else {
      this.copies = 1;
    }
    return 'deliver';
  }

  /** Client traffic is never partitioned or lost (clients sit with the controller) but is delayed. */
  clientDelay(): number {
    if (this.latencyMs === 0 && this.jitterMs === 0) return 0;
    return this.latencyMs + this.clientRng() * this.jitterMs;
  }

  /** Links to Maelstrom's services: delayed like any link, never partitioned or lost (see services.ts). */
  serviceDelay(): number {
    if (this.latencyMs === 0 && this.jitterMs === 0) return 0;
    return this.latencyMs + this.serviceRng() * this.jitterMs;
  }
}
