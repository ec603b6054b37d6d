import { DDSketch } from '@datadog/sketches-js';
import { LatencySketch, addLatency, emptyLatency, latencyPercentiles } from '@payments/read-models/projections/analytics-latency';

/** A deterministic PRNG (mulberry32), so the sample is the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Processor latencies are skewed: most calls are fast, a long tail is slow. Log-normal around
 * 120 ms with a heavy sigma, plus 5 % of calls near a 3 s timeout, in whole milliseconds as
 * the events record them.
 */
function skewedDurations(count: number): number[] {
  const next = random(42);
  return Array.from({ length: count }, () => {
    if (next() < 0.05) return 2900 + Math.round(next() * 200);
    const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    return Math.max(1, Math.round(Math.exp(Math.log(120) + 0.9 * normal)));
  });
}

/** The value at rank q·(n−1) of the sorted sample, rounded down: the rank DDSketch answers for. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

const relativeError = (approximate: number | null, exact: number) => Math.abs(approximate! - exact) / exact;

function sketchOf(durations: readonly number[]): LatencySketch {
  const sketch = emptyLatency();
  for (const ms of durations) addLatency(sketch, ms);
  return sketch;
}

describe('latency percentiles', () => {
  const durations = skewedDurations(5000);
  const sorted = [...durations].sort((a, b) => a - b);
  const exact = { p50: exactQuantile(sorted, 0.5), p95: exactQuantile(sorted, 0.95) };

  it('tells p50 and p95 of a skewed sample within 1 % of exact', () => {
    const { p50_ms, p95_ms } = latencyPercentiles([sketchOf(durations)]);

    // The sample is skewed indeed: the mean is far above the median.
    expect(durations.reduce((a, b) => a + b, 0) / durations.length).toBeGreaterThan(1.3 * exact.p50);
    expect(relativeError(p50_ms, exact.p50)).toBeLessThanOrEqual(0.01);
    expect(relativeError(p95_ms, exact.p95)).toBeLessThanOrEqual(0.01);
  });

  it('keeps that accuracy when the sketches of 24 hours are merged', () => {
    // Through JSON, as the bucket documents store them.
    const hours = Array.from({ length: 24 }, (_, hour) => JSON.parse(JSON.stringify(sketchOf(durations.filter((_, i) => i % 24 === hour)))) as LatencySketch);

    const { p50_ms, p95_ms } = latencyPercentiles(hours);

    expect(relativeError(p50_ms, exact.p50)).toBeLessThanOrEqual(0.01);
    expect(relativeError(p95_ms, exact.p95)).toBeLessThanOrEqual(0.01);
  });

  it('answers exactly what the library’s DDSketch fed the same durations answers', () => {
    const direct = new DDSketch({ relativeAccuracy: 0.01 });
    for (const ms of durations) direct.accept(ms);

    expect(latencyPercentiles([sketchOf(durations)])).toEqual({ p50_ms: direct.getValueAtQuantile(0.5), p95_ms: direct.getValueAtQuantile(0.95) });
  });

  it('answers null without any duration', () => {
    expect(latencyPercentiles([])).toEqual({ p50_ms: null, p95_ms: null });
    expect(latencyPercentiles([emptyLatency(), emptyLatency()])).toEqual({ p50_ms: null, p95_ms: null });
  });

  it('counts a call that took 0 ms', () => {
    // p50 is the value of rank 2 of 0..4, a zero; p95 the one of rank 3.8, rounded down to 3.
    const { p50_ms, p95_ms } = latencyPercentiles([sketchOf([0, 0, 0, 40, 40])]);
    expect(p50_ms).toBe(0);
    expect(relativeError(p95_ms, 40)).toBeLessThanOrEqual(0.01);
  });
});
