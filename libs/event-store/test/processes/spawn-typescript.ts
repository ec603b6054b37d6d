import { ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

/** Runs one of the scripts beside this file in its own node process, the way `npm run cli` runs TypeScript. */
export function spawnTypeScript(script: string, args: string[]): ChildProcessByStdio<Writable, Readable, null> {
  return spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, script), ...args],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
}

/** Calls onLine for each complete line the child prints; a line cut short by a kill is dropped. */
export function onEachLine(output: Readable, onLine: (line: string) => void): void {
  let pending = '';
  output.setEncoding('utf8');
  output.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(onLine);
  });
}

export function exitOf(child: ChildProcessByStdio<Writable, Readable, null>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}
