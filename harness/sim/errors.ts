/** Errors the sim runtime reports to its callers. */

/** No reply came in time. The request's outcome is unknown: the node may have acted on it, or not. */
export class TimeoutError extends Error {
  constructor(
    message: string,
    readonly node: string,
    readonly timeoutMs: number,
  ) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** A node program could not be started: it failed to spawn, exited, or never answered `init`. */
export class NodeStartError extends Error {
  constructor(
    message: string,
    readonly node: string,
  ) {
    super(message);
    this.name = 'NodeStartError';
  }
}
