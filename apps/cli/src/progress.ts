import { Presets, SingleBar } from 'cli-progress';

/**
 * Where progress goes: stderr, so that stdout carries only a command's output (an export). A
 * terminal gets a bar redrawn in place; anything else (a CI log, a file) plain lines.
 */
export type ProgressSink = Pick<NodeJS.WriteStream, 'isTTY' | 'write'>;

export interface ProgressOptions {
  /** What is being done, first on every line: `rebuild`, `export`. */
  label: string;
  /** The position the work ends at, when known: the bar's 100 %. */
  total?: bigint;
  /** Plain lines: the first once the work has taken this long (a quick command prints none), then one per interval. Default 1000 ms. */
  everyMs?: number;
  /** What is counted, in the plural: `events` (the default), `rows`. */
  unit?: string;
  /** What the position counts; `position` (in the log) by default. */
  positionName?: string;
}

/** How far a long command has got: a position in the log and the events handled to get there. */
export interface Progress {
  update(position: bigint, events: number): void;
  /** Ends the bar (or prints nothing more); safe to call twice. */
  stop(): void;
}

/** A progress bar with events/s on a terminal, else a plain line now and then. */
export function startProgress(sink: ProgressSink, options: ProgressOptions): Progress {
  return sink.isTTY ? barProgress(sink, options) : lineProgress(sink, options);
}

function barProgress(sink: ProgressSink, { label, total, unit = 'events' }: ProgressOptions): Progress {
  const started = Date.now();
  const format =
    total === undefined
      ? `${label} {events} ${unit} | {rate} ${unit}/s | {duration_formatted}`
      : `${label} [{bar}] {percentage}% | {events} ${unit} | {rate} ${unit}/s | eta {eta_formatted}`;
  // A TTY sink is a terminal's stream, which the bar moves the cursor on.
  const bar = new SingleBar({ format, stream: sink as NodeJS.WriteStream, hideCursor: true, etaBuffer: 50 }, Presets.shades_classic);
  bar.start(total === undefined ? 1 : Number(total), 0, { events: 0, rate: 0 });
  let stopped = false;
  return {
    update(position, events) {
      if (stopped) return;
      bar.update(total === undefined ? 0 : Number(position), { events, rate: rate(events, started) });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

function lineProgress(sink: ProgressSink, { label, total, everyMs = 1000, unit = 'events', positionName = 'position' }: ProgressOptions): Progress {
  const started = Date.now();
  let next = started + everyMs;
  return {
    update(position, events) {
      const now = Date.now();
      if (now < next) return;
      next = now + everyMs;
      const where = total === undefined || total === 0n ? `at ${positionName} ${position}` : `at ${positionName} ${position} of ${total} (${Math.floor(Number((position * 100n) / total))} %)`;
      sink.write(`${label}: ${events} ${unit}, ${where}, ${rate(events, started)} ${unit}/s\n`);
    },
    stop() {},
  };
}

function rate(events: number, started: number): number {
  const seconds = (Date.now() - started) / 1000;
  return seconds > 0 ? Math.round(events / seconds) : 0;
}
