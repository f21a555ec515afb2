/** What a run may leave behind, as the tests look for it. */
import { readdirSync, readFileSync } from 'node:fs';

/** Live processes whose environment names this folder: the nodes of a run stored there. */
export function processesUnder(dir: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${p}/environ`, 'latin1').includes(dir)) out.push(Number(p));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
