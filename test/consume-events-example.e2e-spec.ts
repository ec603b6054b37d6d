import { ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { listen } from './support/event-stream-client';
import { PaymentShop, card } from './support/payment-shop';
import { TestApp, startTestApp } from './support/test-app';

const SCRIPT = join(__dirname, '..', 'docs', 'examples', 'consume-events.mjs');

interface Printed {
  id: string;
  type: string;
  position: number;
  data: Record<string, unknown>;
}

/** docs/examples/consume-events.mjs run as its reader would run it, against the real service on a port. */
describe('the example event consumer in docs/examples', () => {
  let t: TestApp;
  let api: string;
  let shop: PaymentShop;
  let dir: string;
  let state: string;

  const run = (args: string[]) =>
    spawn(process.execPath, [SCRIPT, '--state', state, ...args], { env: { PATH: process.env.PATH, PAYMENTS_API: api, PAYMENTS_TOKEN: shop.account.secret }, stdio: ['ignore', 'pipe', 'pipe'] });

  /** The events the script printed, one JSON line each, as they come. */
  function printed(child: ChildProcessByStdio<null, Readable, Readable>): { events: Printed[]; stderr: () => string } {
    const events: Printed[] = [];
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      events.push(...lines.map((line) => JSON.parse(line) as Printed));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    return { events, stderr: () => stderr };
  }

  async function pollOnce(): Promise<Printed[]> {
    const child = run(['--mode', 'poll', '--until-caught-up']);
    const out = printed(child);
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect([code, out.stderr()]).toEqual([0, expect.stringContaining('resuming after position')]);
    return out.events;
  }

  async function accountEvents(): Promise<Printed[]> {
    const items: Printed[] = [];
    for (let after = 0; ; ) {
      const res = await shop.get(`/v1/events?limit=100&after=${after}`).expect(200);
      items.push(...res.body.items);
      after = res.body.next_after;
      if (!res.body.has_more) return items;
    }
  }

  async function until(done: () => boolean, what: string): Promise<void> {
    for (const deadline = Date.now() + 10_000; !done(); await sleep(20)) if (Date.now() > deadline) throw new Error(`the consumer did not print ${what}`);
  }

  beforeAll(async () => {
    t = await startTestApp();
    api = await listen(t);
    shop = await PaymentShop.open(t);
    const session = await shop.session([{ amount: 4900 }], await shop.route([await shop.processor('Approver')]));
    await shop.pay(session, { payment_method: card() }).expect(201);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'consume-events-'));
    state = join(dir, 'position');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(() => t.close());

  it('polls every event of the account once, and resumes from its saved position on the next run', async () => {
    const first = await pollOnce();
    expect(first).toEqual(await accountEvents());
    expect(first.map((event) => event.type)).toEqual(expect.arrayContaining(['AccountOpened', 'PaymentSucceeded']));
    expect(readFileSync(state, 'utf8').trim()).toBe(String(first[first.length - 1].position));

    const product = await shop.create('/v1/products', { name: 'Second run' });
    const second = await pollOnce();

    expect(second).toEqual([expect.objectContaining({ type: 'ProductCreated', data: expect.objectContaining({ product_id: product }) })]);
    expect(await pollOnce()).toEqual([]);
  });

  it('follows the SSE stream live, and after a restart prints only what it had not printed', async () => {
    const child = run(['--mode', 'sse']);
    const out = printed(child);
    const past = await accountEvents();
    await until(() => out.events.length >= past.length, `the ${past.length} past events`);
    const live = await shop.create('/v1/products', { name: 'Live' });
    await until(() => out.events.length > past.length, 'the live event');
    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child.once('close', resolve))).toBe(0);

    const whileStopped = await shop.create('/v1/products', { name: 'While stopped' });
    const again = run(['--mode', 'sse']);
    const resumed = printed(again);
    await until(() => resumed.events.length >= 1, 'the event stored while it was stopped');
    await sleep(300);
    again.kill('SIGTERM');
    await new Promise((resolve) => again.once('close', resolve));

    expect(out.events.slice(0, past.length)).toEqual(past);
    expect(out.events.slice(past.length).map((event) => event.data.product_id)).toEqual([live]);
    expect(resumed.events.map((event) => event.data.product_id)).toEqual([whileStopped]);
  });
});
