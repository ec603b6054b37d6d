import { Worker } from 'node:worker_threads';

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.typescript) {
  require(workerData.typescript.tsNode).register({ swc: true });
  if (workerData.typescript.paths) require(workerData.typescript.paths);
}
require(workerData.module);
`;

export interface ModuleWorkerOptions {
  /** Handed to the module as `workerData.data`. */
  data?: unknown;
  /** The module imports `@payments/...` packages: run from source, the tsconfig paths must resolve them. */
  pathAliases?: boolean;
}

/**
 * Starts a worker thread that runs `module`, a path without its extension: the .js file once
 * built, and the .ts source when this file itself runs from source (jest, ts-node), in which case
 * the thread compiles TypeScript with ts-node's swc transpiler.
 */
export function startModuleWorker(module: string, options: ModuleWorkerOptions = {}): Worker {
  const typescript = __filename.endsWith('.ts')
    ? { tsNode: require.resolve('ts-node'), paths: options.pathAliases ? require.resolve('tsconfig-paths/register') : undefined }
    : undefined;
  return new Worker(BOOTSTRAP, { eval: true, workerData: { module, typescript, data: options.data } });
}
