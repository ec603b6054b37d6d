import { Server, createServer } from 'node:net';

/** The HTTP port cannot be listened on: one line that says why and what to do, instead of a stack. */
export class PortUnavailable extends Error {
  constructor(port: number, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const reason =
      code === 'EADDRINUSE'
        ? `port ${port} is already in use by another process: stop it, or start with PORT=<another port>`
        : code === 'EACCES'
          ? `port ${port} needs privileges this process lacks: start with PORT=<a port above 1023>`
          : `cannot listen on port ${port}: ${(cause as Error)?.message ?? String(cause)}`;
    super(reason);
    this.name = 'PortUnavailable';
  }
}

export interface HeldPort {
  /** Frees the port for the service's own listener. */
  release(): Promise<void>;
}

/**
 * Takes the port on every address, as the service's listener will, before start-up writes
 * anything; connections that arrive while the service starts are closed at once. Rejects with
 * PortUnavailable when the port cannot be taken.
 */
export async function holdPort(port: number): Promise<HeldPort> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new PortUnavailable(port, error)));
    server.listen(port, resolve);
  });
  return { release: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))) };
}
