import 'reflect-metadata';
import { SettingsError, loadSettings } from '@payments/orchestration';
import { createApp } from './app';
import { SandboxBootstrap } from './sandbox/sandbox.bootstrap';
import { sandboxBanner } from './sandbox/sandbox-banner';

async function main(): Promise<void> {
  let settings;
  try {
    settings = loadSettings();
  } catch (error) {
    if (error instanceof SettingsError) {
      process.stderr.write(`invalid setting ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const app = await createApp(settings);
  await app.listen(settings.port);
  const sandbox = app.get(SandboxBootstrap).state;
  if (sandbox) process.stdout.write(sandboxBanner(sandbox, `http://localhost:${settings.port}`));
}

void main();
