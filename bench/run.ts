/**
 * `npm run bench -- [name] [--option=value ...]`: runs the named benchmark, or all of them.
 * Benchmarks are never part of `npm test`: they measure, and report whether a target is met.
 */
import { cascadeBench } from './cascade';
import { eventStoreBench } from './event-store';
import { loadBench, soakBench } from './load';
import { rebuildBench } from './rebuild';

const benches: Record<string, (options: Map<string, string>) => Promise<void>> = {
  'event-store': eventStoreBench,
  cascade: cascadeBench,
  rebuild: rebuildBench,
  load: loadBench,
  soak: soakBench,
};

async function main(args: string[]): Promise<void> {
  const name = args[0]?.startsWith('--') ? undefined : args[0];
  const options = new Map(
    args.filter((arg) => arg.startsWith('--')).map((arg) => {
      const [key, value = ''] = arg.slice(2).split('=');
      return [key, value] as [string, string];
    }),
  );
  if (name !== undefined && !(name in benches)) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  for (const [benchName, bench] of Object.entries(benches)) {
    if (name !== undefined && name !== benchName) continue;
    console.log(`# ${benchName}`);
    await bench(options);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
