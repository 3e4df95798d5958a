// Latency histograms kept with the hourly aggregates, so a p95 over weeks of results costs one
// row per hour and latency bucket instead of one per result. Below 32 ms every millisecond is
// its own bucket; above, buckets grow by 5 %, so a p95 read from them is at most 5 % low.

const LINEAR = 32;
const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);

/** The bucket a whole-millisecond latency is counted in. */
export function latencyBucket(ms: number): number {
  if (ms < LINEAR) return Math.max(0, Math.floor(ms));
  return LINEAR + Math.floor(Math.log(ms / LINEAR) / LOG_GROWTH + 1e-9);
}

/** The smallest latency (whole ms) a bucket holds: what a percentile read from it reports. */
export function bucketFloor(bucket: number): number {
  if (bucket < LINEAR) return bucket;
  return Math.ceil(LINEAR * GROWTH ** (bucket - LINEAR) - 1e-9);
}

/** Nearest-rank percentile (0 < p <= 1) of exact values, sorted in place. */
export function exactPercentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return values[Math.max(0, Math.ceil(p * values.length) - 1)]!;
}

/** Nearest-rank percentile read from bucket counts (bucket -> count). */
export function histogramPercentile(counts: ReadonlyMap<number, number>, p: number): number | null {
  let total = 0;
  for (const n of counts.values()) total += n;
  if (total <= 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(bucket)!;
    if (seen >= rank) return bucketFloor(bucket);
  }
  return null;
}
