import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxBootstrap } from '../apps/api/src/sandbox/sandbox.bootstrap';
import { bearer, startTestApp } from './support/test-app';

const SECRET = 'st_stg_sandboxSecretForTests0001';

describe('sandbox bootstrap', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'payments-sandbox-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates the sandbox account with three simulated processors, once', async () => {
    const first = await startTestApp({ PAYMENTS_SANDBOX: 'true', SANDBOX_SECRET_TOKEN: SECRET }, { dataDir });
    expect(first.app.get(SandboxBootstrap).state).toMatchObject({ accountId: 'acc_stg_sandbox', created: true, generated: false });
    const account = await first.http().get('/v1/accounts/acc_stg_sandbox').set(bearer(SECRET)).expect(200);
    const processors = await first.http().get('/v1/processors').set(bearer(SECRET)).expect(200);
    expect(processors.body.total).toBe(3);
    expect(processors.body.items.every((p: { connector: string }) => p.connector === 'simulator')).toBe(true);
    expect(account.body.default_processor_id).toBe(processors.body.items[0].id);
    await first.close();

    const second = await startTestApp({ PAYMENTS_SANDBOX: 'true', SANDBOX_SECRET_TOKEN: SECRET }, { dataDir });
    expect(second.app.get(SandboxBootstrap).state).toMatchObject({ created: false });
    expect((await second.http().get('/v1/processors').set(bearer(SECRET)).expect(200)).body.total).toBe(3);
    await second.close();
  });

  it('generates tokens when none are set, and they work', async () => {
    const t = await startTestApp({ PAYMENTS_SANDBOX: 'true' });
    const state = t.app.get(SandboxBootstrap).state;
    expect(state).toMatchObject({ created: true, generated: true });
    await t.http().get('/v1/processors').set(bearer(state!.secretToken!)).expect(200);
    await t.close();
  });
});
