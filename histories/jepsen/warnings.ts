/** Warnings of one read, deduplicated by kind: a quirk repeated on 200k ops is reported once, with a count. */
export class Warnings {
  private readonly seen = new Map<string, { message: string; count: number }>();

  add(kind: string, message: string): void {
    const entry = this.seen.get(kind);
    if (entry) entry.count++;
    else this.seen.set(kind, { message, count: 1 });
  }

  list(): string[] {
    return [...this.seen.values()].map(({ message, count }) =>
      count > 1 ? `${message} (and ${count - 1} more like it)` : message,
    );
  }
}
