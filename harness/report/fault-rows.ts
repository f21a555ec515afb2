/**
 * The order in which a report draws its fault rows (the run's timeline and the compare page's panels): by when
 * each row's first fault started, so the rows read top to bottom in the order things happened; rows whose first
 * faults started together go by name, numbers compared as numbers (`kill n2` before `kill n10`).
 */
export function faultRowOrder(bands: readonly { row: string; start: number }[]): string[] {
  const first = new Map<string, number>();
  for (const b of bands) {
    const seen = first.get(b.row);
    if (seen === undefined || b.start < seen) first.set(b.row, b.start);
  }
  return [...first.keys()].sort((a, b) => first.get(a)! - first.get(b)! || byName(a, b));
}

const collator = new Intl.Collator('en', { numeric: true });
const byName = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
