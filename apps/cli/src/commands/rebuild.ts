import { EventStore } from '@payments/event-store/event-store';
import { Projection } from '@payments/read-models/projection';
import { rebuildProjections } from '@payments/read-models/read-model-rebuild';
import { ReadModelStore } from '@payments/read-models/read-model-store';
import { UsageError, WriteLine } from '../output';
import { ProgressSink, startProgress } from '../progress';

export interface RebuildOptions {
  events: EventStore;
  readModels: ReadModelStore;
  projections: readonly Projection[];
  out: WriteLine;
  /** Where the progress bar goes (stderr); none when left out. */
  progress?: ProgressSink;
  /** The log's last position now, the bar's 100 %. */
  head?: bigint;
  /** Least time between two plain progress lines. */
  progressEveryMs?: number;
}

/**
 * Rebuilds `target` (a projection name or `all`) from position 0 beside the served read models
 * (rebuildProjections): the log is read once for all of them, and each new read model replaces
 * the served one only once it has caught up. A service running meanwhile serves the old ones
 * until then and follows on in the new ones after.
 */
export async function rebuild(target: string, options: RebuildOptions): Promise<void> {
  const selected = target === 'all' ? options.projections : options.projections.filter((projection) => projection.name === target);
  if (selected.length === 0) {
    throw new UsageError(`no projection "${target}"; known: all, ${options.projections.map((projection) => projection.name).join(', ')}`);
  }
  for (const projection of selected) await options.out(`rebuilding ${projection.name}`);
  const started = Date.now();
  const progress = options.progress && startProgress(options.progress, { label: 'rebuild', total: options.head, everyMs: options.progressEveryMs });
  let read = 0;
  // Printed once the bar is gone, which would otherwise draw over them.
  const published: { name: string; checkpoint: bigint | undefined; events: number; at: number }[] = [];
  try {
    await rebuildProjections(selected, options.events, options.readModels, {
      onProgress: ({ position, events }) => {
        read = events;
        progress?.update(position, events);
      },
      onPublished: (name, checkpoint) => published.push({ name, checkpoint, events: read, at: Date.now() }),
    });
  } finally {
    progress?.stop();
  }
  for (const { name, checkpoint, events, at } of published) {
    await options.out(`rebuilt ${name}: ${events} events in ${seconds(at - started)} s, checkpoint ${checkpoint ?? 'none'}`);
  }
  const elapsed = Date.now() - started;
  await options.out(`${read} events read once for ${selected.length} projection${selected.length === 1 ? '' : 's'} in ${seconds(elapsed)} s: ${Math.round(read / Math.max(elapsed / 1000, 0.001))} events/s`);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
