import { IncomingHttpHeaders, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE } from '@payments/orchestration';
import { EventStore } from '@payments/event-store';
import { SIGNATURE_HEADER, verifySignature } from '@payments/processors';
import { exportEvents } from '../apps/cli/src/commands/export-events';
import { runServiceToExit } from './support/service-process';
import { TestAccount, TestApp, bearer, openAccount, startTestApp } from './support/test-app';
import { WebhookReceiver, signersOf } from './support/webhook-receiver';

const PROCESSOR_SECRET = 'psp_signing_secret_at_rest_0001';

/** An http-connector processor that approves everything and keeps each authorization's headers and body. */
async function recordingProcessor(): Promise<{ url: string; calls: { headers: IncomingHttpHeaders; body: string }[]; close(): Promise<void> }> {
  const calls: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      calls.push({ headers: request.headers, body });
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ outcome: 'approved', auth_code: 'SEAL01' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/authorize`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function filesUnder(dir: string): { file: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ file: path, text: readFileSync(path).toString('latin1') }];
  });
}

/** Pays a new one-line session on the route and answers the payment's status. */
async function payOnce(t: TestApp, account: TestAccount, routeId: string): Promise<string> {
  const post = (path: string, body: object) => t.http().post(path).set(bearer(account.secret)).send(body).expect(201);
  const product = await post('/v1/products', { name: 'Plan' });
  const price = await post('/v1/prices', { product_id: product.body.id, unit_amount: 1500, currency: 'USD' });
  const session = await post('/v1/checkout/sessions', { line_items: [{ price_id: price.body.id, quantity: 1 }], processor_route_id: routeId, success_url: 'https://shop.example/ok' });
  const paid = await t
    .http()
    .post(`/v1/checkout/sessions/${session.body.id}/pay`)
    .set(bearer(account.secret))
    .send({ payment_method: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' } } });
  return paid.body.status;
}

/**
 * Issue 13 item 5: the signing secrets of an http processor and of a webhook endpoint (created,
 * then rotated) are sealed in their events, so neither the raw store, nor an export, nor the
 * event stream API holds one; a restart on the same DATA_DIR (its key file) signs with them as
 * before, and a start with another key stops with a message that says why.
 */
describe('signing secrets at rest', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'payments-secrets-'));
  let processor: Awaited<ReturnType<typeof recordingProcessor>>;
  let hooks: WebhookReceiver;
  let account: TestAccount;
  let routeId: string;
  const webhookSecrets: string[] = [];
  const shown: string[] = [];
  let exported: string[] = [];
  let files: { file: string; text: string }[] = [];

  beforeAll(async () => {
    processor = await recordingProcessor();
    hooks = await WebhookReceiver.start();
    const t = await startTestApp({}, { dataDir });
    try {
      account = await openAccount(t);
      const auth = bearer(account.secret);
      const created = await t.http().post('/v1/processors').set(auth).send({ name: 'Gateway', connector: 'http', http: { url: processor.url, secret: PROCESSOR_SECRET } }).expect(201);
      // The same secret again keeps its seal: nothing changed, nothing recorded.
      await t.http().patch(`/v1/processors/${created.body.id}`).set(auth).send({ http: { url: processor.url, secret: PROCESSOR_SECRET } }).expect(200);
      routeId = (await t.http().post('/v1/processor-routes').set(auth).send({ name: 'Route', processors: [{ processor_id: created.body.id }] }).expect(201)).body.id;
      const endpoint = await t.http().post('/v1/webhook-endpoints').set(auth).send({ url: hooks.url, events: ['payment.succeeded'] }).expect(201);
      const rotated = await t.http().post(`/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`).set(auth).expect(200);
      webhookSecrets.push(endpoint.body.secret, rotated.body.secret);
      expect(await payOnce(t, account, routeId)).toBe('succeeded');
      for (let after = '0'; ; ) {
        const page = await t.http().get(`/v1/events?after=${after}&limit=100`).set(auth).expect(200);
        shown.push(page.text);
        if (page.body.items.length === 0) break;
        after = page.body.next_after;
      }
      await exportEvents(t.app.get<EventStore>(EVENT_STORE), {}, { out: async (line) => void exported.push(line) });
      files = filesUnder(dataDir);
    } finally {
      await t.close();
    }
    files.push(...filesUnder(dataDir));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([processor.close(), hooks.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const secrets = () => [PROCESSOR_SECRET, ...webhookSecrets];

  it('signed the authorization with the processor secret, and had secrets and seals to find', () => {
    const [call] = processor.calls;
    expect(verifySignature(PROCESSOR_SECRET, call.body, String(call.headers[SIGNATURE_HEADER.toLowerCase()]), { nowSeconds: Math.floor(Date.now() / 1000) })).toBe(true);
    expect(webhookSecrets).toEqual([expect.stringMatching(/^whsec_/), expect.stringMatching(/^whsec_/)]);
    expect(files.map(({ file }) => file.slice(dataDir.length + 1))).toEqual(expect.arrayContaining(['events.db', 'secrets.key']));
    // The seals are there, in the store file or its write-ahead log.
    expect(files.filter(({ file }) => /events\.db/.test(file)).some(({ text }) => text.includes('"ciphertext"'))).toBe(true);
    expect(exported.join('\n')).toContain('ProcessorConnected');
    expect(exported.join('\n')).not.toContain('ProcessorUpdated');
    expect(shown.join('\n')).toContain('WebhookEndpointSecretRotated');
    expect(statSync(join(dataDir, 'secrets.key')).mode & 0o777).toBe(0o600);
  });

  it('finds no signing secret in the raw store files, the export or the event stream API', () => {
    const places = [...files.map(({ file, text }) => ({ where: file, text })), { where: 'export', text: exported.join('\n') }, { where: 'GET /v1/events', text: shown.join('\n') }];
    const found = places.flatMap(({ where, text }) => secrets().filter((secret) => text.includes(secret)).map((secret) => `${secret} in ${where}`));
    expect(found).toEqual([]);
  });

  it('signs with the same secrets after a restart with the key file', async () => {
    const t = await startTestApp({}, { dataDir });
    try {
      expect(await payOnce(t, account, routeId)).toBe('succeeded');
      const last = processor.calls[processor.calls.length - 1];
      expect(verifySignature(PROCESSOR_SECRET, last.body, String(last.headers[SIGNATURE_HEADER.toLowerCase()]), { nowSeconds: Math.floor(Date.now() / 1000) })).toBe(true);
      const delivered = await hooks.waitFor(2);
      // Within the rotation's overlap both secrets sign, the new one first.
      for (const webhook of delivered) expect(signersOf(webhook, [...webhookSecrets].reverse())).toEqual([webhookSecrets[1], webhookSecrets[0]]);
    } finally {
      await t.close();
    }
  }, 60_000);

  it('refuses to start with another key, saying which and what to do', async () => {
    const { code, stderr } = await runServiceToExit({ DATA_DIR: dataDir, PAYMENTS_SANDBOX: 'false', LOG_LEVEL: 'silent', PORT: '0', SECRETS_KEY: Buffer.alloc(32, 1).toString('base64') });

    expect(code).toBe(1);
    expect(stderr).toMatch(/^SECRETS_KEY: the event store's signing secrets were last sealed under key sk_\S+, but SECRETS_KEY is key sk_\S+ and SECRETS_KEYS_RETIRED does not hold it/);
    expect(stderr).toContain('DATA_DIR/secrets.key');
  }, 60_000);

  it('starts with the old key among the retired ones', async () => {
    const old = readFileSync(join(dataDir, 'secrets.key'), 'utf8').trim();
    const t = await startTestApp({ SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'), SECRETS_KEYS_RETIRED: old }, { dataDir });
    try {
      expect(await payOnce(t, account, routeId)).toBe('succeeded');
    } finally {
      await t.close();
    }
  }, 60_000);
});
