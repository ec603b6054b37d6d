import { EventStore } from '@payments/event-store';
import { CatchUpProgress, Projection, ProjectionRunner, ReadModelStore } from '@payments/read-models';
import { UsageError, WriteLine } from '../output';

export interface RebuildOptions {
  events: EventStore;
  readModels: ReadModelStore;
  projections: readonly Projection[];
  out: WriteLine;
  /** Least time between two progress lines of one projection. */
  progressEveryMs?: number;
}

/**
 * Replays `target` (a projection name or `all`) from position 0. A service running meanwhile
 * finds its checkpoint gone, loses its next compare-and-set and replays too; the checkpoint
 * keeps each event applied once, so both may run, the rebuild just takes longer.
 */
export async function rebuild(target: string, options: RebuildOptions): Promise<void> {
  const selected = target === 'all' ? options.projections : options.projections.filter((projection) => projection.name === target);
  if (selected.length === 0) {
    throw new UsageError(`no projection "${target}"; known: all, ${options.projections.map((projection) => projection.name).join(', ')}`);
  }
  for (const projection of selected) {
    const runner = new ProjectionRunner(projection, options.events, options.readModels);
    const started = Date.now();
    let last: CatchUpProgress | undefined;
    let lastPrinted = started;
    const printing: Promise<void>[] = [];
    await options.out(`rebuilding ${projection.name}`);
    await runner.rebuild((progress) => {
      last = progress;
      if (Date.now() - lastPrinted < (options.progressEveryMs ?? 1000)) return;
      lastPrinted = Date.now();
      printing.push(options.out(`  ${progress.events} events, at position ${progress.position}`));
    });
    await Promise.all(printing);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    await options.out(`rebuilt ${projection.name}: ${last?.events ?? 0} events in ${seconds} s, checkpoint ${runner.position ?? 'none'}`);
  }
}
