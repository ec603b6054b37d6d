import { DDSketch } from '@datadog/sketches-js';

/**
 * Call durations as a DDSketch with 1 % relative accuracy: its quantiles are within 1 % of the
 * exact value of the same rank, and the sketches of any hours and segments merge into one of the
 * same accuracy. A bucket document keeps the sketch's bins sparsely, as the keys of the
 * library's logarithmic mapping and their counts, rather than as the library's protobuf: that
 * is a padded dense array (kilobytes per bucket) whose round trip through protobufjs costs
 * about half a millisecond, on every answered call; adding to the sparse bins costs one
 * logarithm. A query turns each bucket's bins back into a DDSketch and merges those.
 */
const RELATIVE_ACCURACY = 0.01;

/** The library's mapping of a sketch with that accuracy: every bucket's keys mean the same bins. */
const MAPPING = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY }).mapping;

export interface LatencySketch {
  /** Durations the sketch cannot tell from 0 (DDSketch's zero count). */
  zeros: number;
  /** Count of durations per bin, by the mapping's key of the bin. */
  bins: Record<string, number>;
}

export function emptyLatency(): LatencySketch {
  return { zeros: 0, bins: {} };
}

/** Adds one duration to `sketch`. */
export function addLatency(sketch: LatencySketch, durationMs: number): void {
  // As DDSketch.accept sorts a value: durations are never negative.
  if (durationMs <= MAPPING.minPossible) {
    sketch.zeros++;
    return;
  }
  const key = MAPPING.key(durationMs);
  sketch.bins[key] = (sketch.bins[key] ?? 0) + 1;
}

export interface LatencyPercentiles {
  p50_ms: number | null;
  p95_ms: number | null;
}

/** The 50th and 95th percentiles of every duration of the sketches together; null without any. */
export function latencyPercentiles(sketches: readonly LatencySketch[]): LatencyPercentiles {
  const merged = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });
  for (const sketch of sketches) merged.merge(toDDSketch(sketch));
  if (merged.count === 0) return { p50_ms: null, p95_ms: null };
  // Unrounded: rounding would add its own error to the sketch's 1 %.
  return { p50_ms: merged.getValueAtQuantile(0.5), p95_ms: merged.getValueAtQuantile(0.95) };
}

/** The sketch the bins describe: each bin's representative value, which the mapping puts back in the same bin, weighted by its count. */
function toDDSketch({ zeros, bins }: LatencySketch): DDSketch {
  const sketch = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });
  if (zeros > 0) sketch.accept(0, zeros);
  for (const [key, count] of Object.entries(bins)) sketch.accept(MAPPING.value(Number(key)), count);
  return sketch;
}
