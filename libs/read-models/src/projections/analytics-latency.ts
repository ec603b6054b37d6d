import { DDSketch } from '@datadog/sketches-js';

/**
 * Call durations as a DDSketch: quantiles within 1 % of the exact value of the same rank, and
 * sketches of different hours and segments merge into one of the same accuracy. Stored as its
 * protobuf serialization in base64, so it travels in a JSON document.
 */
const RELATIVE_ACCURACY = 0.01;

/** The sketch with one more duration; `stored` null for the first. */
export function withLatency(stored: string | null, durationMs: number): string {
  const sketch = stored === null ? new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY }) : decode(stored);
  sketch.accept(Math.max(0, durationMs));
  return Buffer.from(sketch.toProto()).toString('base64');
}

export interface LatencyPercentiles {
  p50_ms: number | null;
  p95_ms: number | null;
}

/** The 50th and 95th percentiles of every duration in the sketches together; null without any. */
export function latencyPercentiles(stored: readonly string[]): LatencyPercentiles {
  const merged = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });
  for (const sketch of stored) merged.merge(decode(sketch));
  if (merged.count === 0) return { p50_ms: null, p95_ms: null };
  // Unrounded: rounding would add its own error to the sketch's 1 %.
  return { p50_ms: merged.getValueAtQuantile(0.5), p95_ms: merged.getValueAtQuantile(0.95) };
}

function decode(stored: string): DDSketch {
  return DDSketch.fromProto(Buffer.from(stored, 'base64'));
}
