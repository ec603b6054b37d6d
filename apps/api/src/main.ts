import 'reflect-metadata';
import { AddressInfo } from 'node:net';
import { SecretsKeyMismatch, Settings, SettingsError, loadSettings } from '@payments/orchestration';
import { createApp } from './app';
import { SandboxBootstrap } from './sandbox/sandbox.bootstrap';
import { sandboxBanner } from './sandbox/sandbox-banner';
import { ReadModelsOfAnotherStore } from './start-up/followed-event-store.guard';
import { PortUnavailable, holdPort } from './start-up/port';

function settingsOrExit(): Settings {
  try {
    return loadSettings();
  } catch (error) {
    if (error instanceof SettingsError) exit(`invalid setting ${error.message}`, 2);
    throw error;
  }
}

function exit(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/**
 * Start-up in the order that keeps a newcomer's first run safe: the port is taken before
 * anything is written (a busy port used to leave a sandbox with generated tokens that were never
 * shown), and the banner with the tokens comes last, below the start-up logs.
 */
async function main(): Promise<void> {
  const settings = settingsOrExit();
  const held = await holdPort(settings.port).catch((error: unknown) => {
    if (error instanceof PortUnavailable) exit(error.message, 1);
    throw error;
  });
  const app = await createApp(settings).catch((error: unknown) => {
    if (error instanceof ReadModelsOfAnotherStore) exit(error.message, 1);
    if (error instanceof SecretsKeyMismatch) exit(error.message, 1);
    throw error;
  });
  const baseUrl = (port: number) => `http://localhost:${port}`;
  await held.release();
  try {
    await app.listen(settings.port);
  } catch (error) {
    // Someone took the port in the moment between the hold and the listen: the tokens this
    // start generated are shown all the same, since only their hashes were stored.
    const sandbox = app.get(SandboxBootstrap).state;
    if (sandbox?.generated) process.stdout.write(sandboxBanner(sandbox, baseUrl(settings.port)));
    exit(new PortUnavailable(settings.port, error).message, 1);
  }
  const sandbox = app.get(SandboxBootstrap).state;
  if (sandbox) process.stdout.write(sandboxBanner(sandbox, baseUrl((app.getHttpServer().address() as AddressInfo).port)));
}

void main();
