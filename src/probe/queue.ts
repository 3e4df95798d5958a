// Results waiting to be sent, oldest first, bounded: when the server stays unreachable long enough
// to fill it, the oldest results go (and are counted), so a probe's memory stays flat.

/** One result as the server takes it (`POST /api/probe/v1/results`). */
export interface ProbeResult {
  readonly entity: string;
  /** ISO-8601: when the check started, kept through any outage. */
  readonly at: string;
  readonly ok: boolean;
  readonly latency_ms: number | null;
  readonly message: string;
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface ResultQueue {
  push(result: ProbeResult): void;
  /** The oldest `max` results, left in the queue until `confirm(through)` says they were sent. */
  peek(max: number): { readonly results: readonly ProbeResult[]; readonly through: number };
  /**
   * Removes the results of a `peek` that was sent. Results pushed out by the bound while the
   * request was under way are not counted twice, and newer ones are kept.
   */
  confirm(through: number): void;
  size(): number;
  /** Results lost to the bound since the start. */
  dropped(): number;
}

/** A ring buffer: push, peek and drop are O(1) per result, at 100,000 results or 10. */
export function createResultQueue(capacity: number): ResultQueue {
  const ring = new Array<ProbeResult | undefined>(Math.max(1, capacity));
  let head = 0;
  let length = 0;
  let lost = 0;
  /** Sequence number of the result at `head` (every result pushed gets the next one). */
  let first = 0;
  const shift = (): void => {
    ring[head] = undefined;
    head = (head + 1) % ring.length;
    length -= 1;
    first += 1;
  };
  return {
    push(result) {
      if (length === ring.length) {
        shift();
        lost += 1;
      }
      ring[(head + length) % ring.length] = result;
      length += 1;
    },
    peek(max) {
      const results: ProbeResult[] = [];
      for (let i = 0; i < Math.min(max, length); i++) results.push(ring[(head + i) % ring.length]!);
      return { results, through: first + results.length };
    },
    confirm(through) {
      while (length > 0 && first < through) shift();
    },
    size: () => length,
    dropped: () => lost,
  };
}
