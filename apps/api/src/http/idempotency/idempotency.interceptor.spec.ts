import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, Global, INestApplication, Module, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import request from 'supertest';
import { invalid, notFound } from '@payments/domain';
import { CLOCK, POSTGRES, REDIS, SETTINGS, loadSettings, systemClock } from '@payments/orchestration';
import { configureHttp } from '../configure-http';
import { HttpConventionsModule } from '../http-conventions.module';
import { Principal, TOKEN_RESOLVER, TokenResolver } from '../principal';

class EchoDto {
  @IsString()
  value!: string;
}

/** Lets a test hold a request inside its handler until it decides to finish it. */
class Gate {
  entered!: Promise<void>;
  private enter!: () => void;
  private leave!: () => void;
  private left!: Promise<void>;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.entered = new Promise((resolve) => (this.enter = resolve));
    this.left = new Promise((resolve) => (this.leave = resolve));
  }

  async pass(): Promise<void> {
    this.enter();
    await this.left;
  }

  open(): void {
    this.leave();
  }
}

const gate = new Gate();
let handlerRuns = 0;

@Controller('test')
class TestController {
  @Post('held')
  async held(@Body() body: EchoDto) {
    handlerRuns++;
    await gate.pass();
    return { echo: body.value };
  }

  @Post('echo')
  echo(@Body() body: EchoDto) {
    handlerRuns++;
    return { echo: body.value, run: handlerRuns };
  }

  @Post('missing')
  missing() {
    handlerRuns++;
    throw notFound('no such thing');
  }

  @Post('invalid')
  broken() {
    handlerRuns++;
    throw invalid('that breaks a rule');
  }
}

// The idempotency records' file (no REDIS_URL, no POSTGRES_URL), in a directory of this run alone.
const dataDir = mkdtempSync(join(tmpdir(), 'idempotency-interceptor-'));

const principals: Record<string, Principal> = {
  st_a: { kind: 'secret', accountId: 'acc_stg_a', tokenId: 'a' },
  st_b: { kind: 'secret', accountId: 'acc_stg_b', tokenId: 'b' },
};

@Global()
@Module({
  providers: [
    { provide: SETTINGS, useValue: loadSettings({ LOG_LEVEL: 'silent', DATA_DIR: dataDir }) },
    { provide: REDIS, useValue: null },
    { provide: POSTGRES, useValue: null },
    { provide: CLOCK, useValue: systemClock },
    { provide: TOKEN_RESOLVER, useValue: { resolve: async (token: string) => principals[token] } satisfies TokenResolver },
  ],
  exports: [SETTINGS, REDIS, POSTGRES, CLOCK, TOKEN_RESOLVER],
})
class TestInfrastructureModule {}

describe('IdempotencyInterceptor', () => {
  let app: INestApplication;
  const post = (path: string, key: string, body: object, token = 'st_a') =>
    request(app.getHttpServer()).post(path).set('Authorization', `Bearer ${token}`).set('Idempotency-Key', key).send(body);

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TestInfrastructureModule, HttpConventionsModule],
      controllers: [TestController],
    }).compile();
    app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
    configureHttp(app, loadSettings({}));
    // Listening once lets supertest send requests that overlap.
    await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    handlerRuns = 0;
    gate.reset();
  });

  it('answers 409 to the same request while the first still runs, then replays the first', async () => {
    const first = post('/test/held', 'k-held', { value: 'a' }).then((res) => res);
    await gate.entered;

    const concurrent = await post('/test/held', 'k-held', { value: 'a' });
    expect(concurrent.status).toBe(409);
    expect(concurrent.body.type).toBe('https://docs.payments.example/errors/idempotency-key-in-use');

    gate.open();
    const original = await first;
    expect(original.status).toBe(201);
    const replay = await post('/test/held', 'k-held', { value: 'a' });
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(original.text);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(handlerRuns).toBe(1);
  });

  it('answers 422 to a different body with the key of a running request', async () => {
    const first = post('/test/held', 'k-held-2', { value: 'a' }).then((res) => res);
    await gate.entered;
    const other = await post('/test/held', 'k-held-2', { value: 'b' });
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('https://docs.payments.example/errors/idempotency-key-reused');
    gate.open();
    await first;
  });

  it('stores a 404 that the exception filter rendered and replays it without running the handler', async () => {
    const original = await post('/test/missing', 'k-404', {});
    const replay = await post('/test/missing', 'k-404', {});
    expect(original.status).toBe(404);
    expect(replay.status).toBe(404);
    expect(replay.headers['content-type']).toBe(original.headers['content-type']);
    expect(replay.text).toBe(original.text);
    expect(handlerRuns).toBe(1);
  });

  it('does not store a 422, so a retry runs again', async () => {
    await post('/test/invalid', 'k-422', {}).expect(422);
    await post('/test/invalid', 'k-422', {}).expect(422);
    expect(handlerRuns).toBe(2);
  });

  it('frees the key after a validation failure, so a corrected retry runs', async () => {
    await post('/test/echo', 'k-400', { value: 5 }).expect(400);
    const corrected = await post('/test/echo', 'k-400', { value: 'ok' });
    expect(corrected.status).toBe(201);
    expect(corrected.body).toEqual({ echo: 'ok', run: 1 });
  });

  it('keeps keys apart per account', async () => {
    await post('/test/echo', 'k-shared', { value: 'x' }, 'st_a').expect(201);
    const other = await post('/test/echo', 'k-shared', { value: 'x' }, 'st_b');
    expect(other.status).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(handlerRuns).toBe(2);
  });

  it('runs every request without a key', async () => {
    await request(app.getHttpServer()).post('/test/echo').set('Authorization', 'Bearer st_a').send({ value: 'x' }).expect(201);
    await request(app.getHttpServer()).post('/test/echo').set('Authorization', 'Bearer st_a').send({ value: 'x' }).expect(201);
    expect(handlerRuns).toBe(2);
  });

  it.each([
    ['longer than 255 characters', 'x'.repeat(256)],
    ['with a character outside printable ASCII', 'caf\u00e9'],
  ])('answers 400 to a key %s', async (_, key) => {
    const res = await post('/test/echo', key, { value: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    expect(handlerRuns).toBe(0);
  });
});
