/**
 * The default rate of set-like workloads (set, broadcast), in ops per second over all clients. Every read
 * returns the whole set, so an unthrottled history grows with the square of the ops: a 10 s g-set run under
 * partitions wrote 553 MB (issue 10). At 100/s a 30 s run has about 330 reads of up to 3,000 elements (a few MB),
 * enough adds to lose some under faults and enough reads to catch stale ones. Maelstrom's own default is 5/s
 * (the maelstrom target keeps that); `--rate` always wins, `--rate unlimited` included.
 */
export const SET_LIKE_RATE = 100;
