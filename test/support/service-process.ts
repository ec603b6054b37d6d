import { ChildProcessByStdio, spawn } from 'node:child_process';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { exitOf, onEachLine } from '../../libs/event-store/test/processes/spawn-typescript';

const REPO_ROOT = join(__dirname, '..', '..');
const START_TIMEOUT_MS = 30_000;
const LOG_LINES_KEPT = 200;

/**
 * Runs apps/api/src/main.ts from source. ts-node's swc transpiler starts the service in about
 * half the time of TypeScript's transpile-only mode, and needs no build, so it works from a
 * fresh `npm ci`.
 */
const RUN_MAIN = "require('ts-node').register({ swc: true }); require('tsconfig-paths/register'); require('./apps/api/src/main.ts');";

export interface ServiceProcess {
  readonly url: string;
  /** The process id, to signal it (test/faults-threads.e2e-spec.ts). */
  readonly pid: number;
  http(): ReturnType<typeof request>;
  /** The last lines the service printed, for failure messages. */
  log(): string;
  /** SIGKILL: no shutdown hook runs, as in a crash. Resolves once the process is gone. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The real service, as `node main.js` runs it, in a process of its own on a free port of
 * 127.0.0.1; resolves once it answers GET /health. `env` is the whole of its settings (with PATH
 * and the like from this process), so the caller's environment cannot change what is tested.
 */
export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', RUN_MAIN], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const service = serviceOf(child, `http://127.0.0.1:${port}`);
  try {
    await answering(child, service);
  } catch (error) {
    await service.kill();
    throw error;
  }
  return service;
}

function serviceOf(child: ChildProcessByStdio<Writable, Readable, null>, url: string): ServiceProcess {
  const lines: string[] = [];
  onEachLine(child.stdout, (line) => {
    lines.push(line);
    if (lines.length > LOG_LINES_KEPT) lines.shift();
  });
  const exited = exitOf(child);
  return {
    url,
    pid: child.pid!,
    http: () => request(url),
    log: () => lines.join('\n'),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

async function answering(child: ChildProcessByStdio<Writable, Readable, null>, service: ServiceProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the service exited while starting:\n${service.log()}`);
    const health = await service.http().get('/health').catch(() => undefined);
    if (health?.status === 200) return;
    await sleep(100);
  }
  throw new Error(`the service did not answer GET /health within ${START_TIMEOUT_MS} ms:\n${service.log()}`);
}

/**
 * The service with `env` as its whole settings, run until it exits by itself (a start-up that is
 * meant to fail), with what it printed on stdout and stderr.
 */
export async function runServiceToExit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-e', RUN_MAIN], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** A port nothing listens on now; the service binds it a moment later, which on a test machine nothing else races for. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
