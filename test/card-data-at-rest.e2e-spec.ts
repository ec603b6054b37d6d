import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PaymentShop } from './support/payment-shop';
import { TestApp, bearer, startTestApp } from './support/test-app';

/** The files whose card numbers this test pays with: the e2e payment suite and its shop. */
const PAYMENT_SUITE = ['payments.e2e-spec.ts', 'payments-crash.e2e-spec.ts', 'hostile-input.e2e-spec.ts', 'support/payment-shop.ts'].map((file) => join(__dirname, file));

/** Every 12 to 19 digit string literal of the payment suite: the valid cards, and the mistyped ones a customer may send. */
function suiteCardNumbers(): string[] {
  const numbers = new Set<string>();
  for (const file of PAYMENT_SUITE) for (const [, digits] of readFileSync(file, 'utf8').matchAll(/'(\d{12,19})'/g)) numbers.add(digits);
  return [...numbers];
}

/** Security codes of this test, looked for as a value (quoted, or after `:` or `=`): bare digits occur by chance in random ids and timestamps. */
const CVCS = ['7391', '846', '5027', '913'];
const asValue = (cvc: string) => new RegExp(`"${cvc}"|[:=]${cvc}(?!\\d)`);

/** Every file under the data directory, WAL and journal files included, as raw bytes. */
function filesUnder(dir: string): { file: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ file: path, bytes: readFileSync(path) }];
  });
}

/**
 * Money rule: no card number or cvc appears in a log, an event, a file or an answer. The e2e
 * suite's cards are paid here through every door (approved, declined, invalid, expired, as a form,
 * under an unknown key, in a URL, with an Idempotency-Key, with the publishable token), and then
 * looked for in every answer, every log line and every byte the service left in DATA_DIR.
 */
describe('card numbers and security codes are nowhere at rest', () => {
  const cards = suiteCardNumbers();
  const answers: string[] = [];
  const logs: string[] = [];
  let t: TestApp;
  let files: { file: string; bytes: Buffer }[] = [];
  let dataDir: string;

  beforeAll(async () => {
    const capture = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logs.push(chunk.toString());
      return true;
    });
    dataDir = mkdtempSync(join(tmpdir(), 'payments-at-rest-'));
    t = await startTestApp({ LOG_LEVEL: 'debug' }, { dataDir });
    try {
      const shop = await PaymentShop.open(t);
      const decliner = await shop.processor('Decliner', { simulator: { outcome: 'decline', decline_code: '05' } });
      const approver = await shop.processor('Approver');
      const route = await shop.route([decliner, approver]);
      const keep = (res: { text: string; headers: Record<string, string> }) => answers.push(JSON.stringify(res.headers), res.text);
      for (const [index, number] of cards.entries()) {
        const cvc = CVCS[index % CVCS.length];
        const session = await shop.session([{ amount: 1000 + index }, { amount: 500 }], route);
        const card = { number, exp_month: 12, exp_year: 2040, cvc };
        const pay = () => t.http().post(`/v1/checkout/sessions/${session}/pay`);
        keep(await pay().set(bearer(shop.account.secret)).set('Idempotency-Key', `pay-${index}`).send({ payment_method: { type: 'card', card } }));
        keep(await pay().set(bearer(shop.account.publishable)).send({ payment_method: { type: 'card', card: { ...card, number: number.replace(/(\d{4})/g, '$1 ').trim() } } }));
        keep(await pay().set(bearer(shop.account.secret)).send({ payment_method: { type: 'card', card: { ...card, exp_year: 2001 } } }));
        keep(await pay().set(bearer(shop.account.secret)).type('form').send(JSON.stringify({ payment_method: { type: 'card', card } })));
        keep(await pay().set(bearer(shop.account.secret)).send({ payment_method: { type: 'card', card }, [`${number}:${cvc}`]: true }));
        keep(await pay().set(bearer(shop.account.secret)).send({ payment_method: { type: 'card', card: { ...card, cvc: Number(cvc) } } }));
        keep(await t.http().get(`/v1/payments/${number}`).set(bearer(shop.account.secret)));
        keep(await t.http().get(`/v1/payments?checkout_session_id=${number}`).set(bearer(shop.account.secret)));
      }
      const payments = await t.http().get('/v1/payments?limit=100').set(bearer(shop.account.secret)).expect(200);
      keep(payments);
      for (const { id } of payments.body.items) keep(await t.http().get(`/v1/payments/${id}/events`).set(bearer(shop.account.secret)).expect(200));
      // Write-ahead logs hold what the files do not yet: read them while the service runs, and again after it closed.
      files = filesUnder(dataDir);
    } finally {
      await t.close();
      capture.mockRestore();
    }
    files.push(...filesUnder(dataDir));
  }, 120_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('paid with the whole suite, so there was something to find', () => {
    expect(cards).toEqual(expect.arrayContaining(['4242424242424242', '4000000000000002', '5555555555554444']));
    expect(answers.join('\n')).toContain('"status":"succeeded"');
    expect(files.map(({ file }) => file.slice(dataDir.length + 1))).toEqual(expect.arrayContaining(['events.db', 'read-models.db', 'idempotency.db']));
    expect(logs.length).toBeGreaterThan(cards.length);
  });

  it('finds no card number in any answer, log line or file', () => {
    const places = [...answers.map((text, i) => ({ where: `answer ${i}`, text })), ...logs.map((text, i) => ({ where: `log line ${i}`, text })), ...files.map(({ file, bytes }) => ({ where: file, text: bytes.toString('latin1') }))];
    const found = places.flatMap(({ where, text }) => cards.filter((number) => text.includes(number)).map((number) => `${number} in ${where}`));
    expect(found).toEqual([]);
  });

  it('finds no security code in any answer, log line or file', () => {
    const places = [...answers, ...logs, ...files.map(({ bytes }) => bytes.toString('latin1'))];
    const found = places.flatMap((text) => CVCS.filter((cvc) => asValue(cvc).test(text)));
    expect(found).toEqual([]);
    expect(places.filter((text) => /"cvc"\s*:/.test(text))).toEqual([]);
  });
});
