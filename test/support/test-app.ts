import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadSettings } from '@payments/orchestration';
import { Clock } from '@payments/domain';
import { createApp } from '../../apps/api/src/app';
import { createAppWithClock } from './test-clock';

export const ADMIN_TOKEN = 'admin_test_token_0123456789';

export interface TestApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * The real service on a temporary SQLite file (or on Redis with `redis: true`, under a key
 * prefix of its own), exactly as main.ts builds it, minus the listening socket; `clock` replaces
 * the service's clock, for tests that move time.
 */
export async function startTestApp(env: Record<string, string> = {}, options: { redis?: boolean; dataDir?: string; clock?: Clock } = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'payments-e2e-'));
  const redisEnv = options.redis ? { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `test:${randomBytes(6).toString('hex')}:` } : {};
  const settings = loadSettings({ DATA_DIR: dataDir, PAYMENTS_SANDBOX: 'false', ADMIN_TOKEN, LOG_LEVEL: 'silent', ...redisEnv, ...env });
  const app = options.clock ? await createAppWithClock(settings, options.clock) : await createApp(settings);
  return {
    app,
    http: () => request(app.getHttpServer()),
    dataDir,
    async close() {
      await app.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestAccount {
  id: string;
  secret: string;
  publishable: string;
}

export async function openAccount(t: TestApp, name = 'Test Shop'): Promise<TestAccount> {
  const res = await t.http().post('/v1/accounts').set('Authorization', `Bearer ${ADMIN_TOKEN}`).send({ name }).expect(201);
  return { id: res.body.id, secret: res.body.secret_token, publishable: res.body.publishable_token };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
