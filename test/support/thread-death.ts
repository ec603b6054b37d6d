import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { card } from './payment-shop';
import { ServiceProcess, startServiceProcess } from './service-process';
import { ADMIN_TOKEN, bearer } from './test-app';

/** Payers paying at once, each this many payments: the load the thread dies under. */
const PAYERS = 6;
const PAYMENTS_EACH = 9;
/** The thread is killed after this many payments were acknowledged, and again after as many more. */
const KILL_EVERY = 15;
/** An answer slower than this counts as a hang (the projection wait is 5 s, a Redis give-up a few). */
const HANG_MS = 20_000;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * A worker thread of the real service killed (worker.terminate, as a crash would) while payers
 * pay: through the test-only FAULT_KILL_THREAD_ON_SIGWINCH, since a thread cannot be signalled
 * from outside its process. Each answer must be 201 or 503 problem details, the payments after
 * the deaths succeed, and every acknowledged payment is stored and served.
 */
export function describeThreadDeath(thread: 'writer' | 'projection', name: string): void {
  describe(`${thread} thread dying under load`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), `faults-${thread}-thread-`));
    let service: ServiceProcess;

    beforeAll(async () => {
      service = await startServiceProcess({ DATA_DIR: dataDir, PAYMENTS_SANDBOX: 'false', ADMIN_TOKEN, LOG_LEVEL: 'warn', FAULT_KILL_THREAD_ON_SIGWINCH: thread });
    });
    afterAll(async () => {
      await service?.kill();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it(`fails the requests in flight with 503 problem details when ${name} dies, succeeds after, and loses no acknowledged payment`, async () => {
      const shop = await openShop(service);
      const acknowledged: string[] = [];
      const refused: Answer[] = [];
      let kills = 0;
      const killNowAndThen = () => {
        if (acknowledged.length >= KILL_EVERY * (kills + 1) && kills < 2) {
          kills++;
          process.kill(service.pid, 'SIGWINCH');
        }
      };

      await Promise.all(
        Array.from({ length: PAYERS }, async () => {
          for (let i = 0; i < PAYMENTS_EACH; i++) {
            const paid = await pay(service, shop);
            if (paid.status === 201) acknowledged.push(paid.body.id as string);
            else refused.push(paid);
            killNowAndThen();
          }
        }),
      );

      expect(kills).toBe(2);
      const killed = service.log().match(new RegExp(`SIGWINCH: killed the ${thread} thread`, 'g')) ?? [];
      expect(killed.length).toBeGreaterThanOrEqual(2);
      for (const answer of refused) {
        if (answer.status !== 503) throw new Error(`answered ${answer.status} ${JSON.stringify(answer.body)}, not 201 or 503:\n${service.log()}`);
        expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(answer.body).toMatchObject({ status: 503, title: 'Service unavailable' });
      }
      // After the deaths the next payments are acknowledged as usual...
      for (let i = 0; i < 3; i++) {
        const paid = await pay(service, shop);
        expect(paid.status).toBe(201);
        acknowledged.push(paid.body.id as string);
      }
      // ...every acknowledged payment is served, succeeded, once the read models have caught up...
      for (const id of acknowledged) {
        const payment = await service.http().get(`/v1/payments/${id}`).set(bearer(shop.secret)).timeout(HANG_MS).expect(200);
        expect(payment.body.status).toBe('succeeded');
      }
      // ...and is in the events file, read once the service is gone.
      await service.kill();
      const db = new Database(join(dataDir, 'events.db'), { readonly: true });
      try {
        const succeeded = new Set(db.prepare("SELECT stream_id FROM events WHERE type = 'PaymentSucceeded'").pluck().all() as string[]);
        const stored = acknowledged.filter((id) => [...succeeded].some((stream) => stream.endsWith(id)));
        expect(stored).toHaveLength(acknowledged.length);
        console.log(`${name}: killed twice under ${PAYERS} payers; ${acknowledged.length} payments acknowledged, all stored (${succeeded.size} succeeded in the store); ${refused.length} answered 503`);
      } finally {
        db.close();
      }
    }, 120_000);
  });
}

interface Shop {
  secret: string;
  routeId: string;
  priceId: string;
}

async function openShop(service: ServiceProcess): Promise<Shop> {
  const account = await service.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name: 'Thread fault shop' }).expect(201);
  const secret: string = account.body.secret_token;
  const create = async (path: string, body: object): Promise<string> => (await service.http().post(path).set(bearer(secret)).send(body).expect(201)).body.id;
  const processorId = await create('/v1/processors', { name: 'Approving', connector: 'simulator', simulator: { outcome: 'approve' } });
  const routeId = await create('/v1/processor-routes', { name: 'Route', processors: [{ processor_id: processorId }] });
  const product = await create('/v1/products', { name: 'Plan' });
  const priceId = await create('/v1/prices', { product_id: product, unit_amount: 1500, currency: 'USD' });
  return { secret, routeId, priceId };
}

/** A new session paid: the pay's answer, or the session's when that was refused. */
async function pay(service: ServiceProcess, shop: Shop): Promise<Answer> {
  const post = (path: string, body: object) => service.http().post(path).set(bearer(shop.secret)).timeout(HANG_MS).send(body);
  const session = await post('/v1/checkout/sessions', { line_items: [{ price_id: shop.priceId, quantity: 1 }], processor_route_id: shop.routeId, success_url: 'https://shop.example/ok' });
  if (session.status !== 201) return session;
  return post(`/v1/checkout/sessions/${session.body.id}/pay`, { payment_method: card() });
}
