/** The order of a report's fault rows: by each row's first start, ties by name with numbers compared as numbers. */
import { describe, expect, it } from 'vitest';
import { faultRowOrder } from '../../../harness/report/fault-rows.js';

describe('fault row order', () => {
  it('puts rows in the order their first fault started, not by name', () => {
    const bands = [
      { row: 'partition', start: 40 },
      { row: 'kill n3', start: 10 },
      { row: 'partition', start: 5 }, // a row's earliest band decides, wherever it is in the list
      { row: 'clock n1', start: 70 },
      { row: 'kill n3', start: 90 },
    ];
    expect(faultRowOrder(bands)).toEqual(['partition', 'kill n3', 'clock n1']);
  });

  it('breaks ties by name, n2 before n10', () => {
    const bands = [
      { row: 'pause n2', start: 3 },
      { row: 'kill n10', start: 3 },
      { row: 'kill n2', start: 3 },
      { row: 'latency', start: 1 },
    ];
    expect(faultRowOrder(bands)).toEqual(['latency', 'kill n2', 'kill n10', 'pause n2']);
    expect(faultRowOrder([])).toEqual([]);
  });
});
