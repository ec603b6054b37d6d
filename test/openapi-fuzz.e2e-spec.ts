import { AddressInfo } from 'node:net';
import { OutgoingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import { EventStore, RecordedEvent } from '@payments/event-store';
import { EVENT_STORE } from '@payments/orchestration';
import { CARD_NUMBERS, cardNumber, hostileBodyText, hostileNumber, hostileString, mutatedBody, percentEncode, renderForm, renderJson } from './support/fuzz/hostile-values';
import { Operation, operationsOf } from './support/fuzz/openapi-operations';
import { Answer, FuzzRequest, closeConnections, excerpt, send } from './support/fuzz/raw-http';
import { IdSource, schemaValue } from './support/fuzz/schema-values';
import { PaymentShop, card } from './support/payment-shop';
import { ADMIN_TOKEN, TestApp, bearer, startTestApp } from './support/test-app';

/**
 * Issue 8's net under the edge hardening: every operation of the served OpenAPI document gets
 * generated and mutated bodies, query strings, path ids and headers, and every answer must hold
 * what a client and the money rules need: never a 5xx; every error a problem document carrying
 * the request id; no card number the request carried in the answer (body or headers) or in the
 * request's log lines; nothing appended to the event store by a request that was refused.
 *
 * `npm test` runs a fixed seed and RUNS per operation and attack; `npm run fuzz` sets FUZZ_RUNS
 * (default 100) and draws a seed, printed with every failure and in the totals, so that
 * `FUZZ_SEED=<seed> FUZZ_RUNS=<runs> npm run fuzz` replays the run.
 */
const FUZZING = process.env.FUZZ_RUNS !== undefined || process.env.FUZZ_SEED !== undefined;
const RUNS = Number(process.env.FUZZ_RUNS ?? 10);
const SEED = Number(process.env.FUZZ_SEED ?? (FUZZING ? Math.floor(Math.random() * 2 ** 31) : 20_260_807));
/** Per `it`: a fuzz run takes as long as it takes. */
const TIMEOUT = FUZZING ? 6 * 60 * 60_000 : 120_000;

/** What each backend's run sent and met, printed at the end: the issue's note quotes the totals. */
const backendRuns: Array<{ backend: string; requests: number; serverErrors: number; byStatus: Map<number, number> }> = [];

afterAll(() => {
  const sum = (pick: (run: (typeof backendRuns)[number]) => number) => backendRuns.reduce((total, run) => total + pick(run), 0);
  const lines = backendRuns.map(({ backend, requests, serverErrors, byStatus }) => {
    const statuses = [...byStatus.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(', ');
    return `  ${backend}: ${requests} requests, ${serverErrors} 5xx (${statuses})`;
  });
  console.log(`OpenAPI fuzz, seed ${SEED}, ${RUNS} runs per operation and attack: ${sum((run) => run.requests)} requests, ${sum((run) => run.serverErrors)} 5xx\n${lines.join('\n')}`);
});

/** 32-bit FNV-1a: each (attack, operation) gets its own seed derived from SEED, so one FUZZ_SEED replays them all. */
function seedFor(label: string): number {
  let hash = 0x811c9dc5;
  for (const char of label) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return (SEED ^ hash) >>> 0;
}

/** Text as a reader sees it: spaces written by a URL (`%20`, `+` in a query) are spaces. */
const readable = (text: string) => text.replace(/%20|\+/g, ' ');

/**
 * A card number standing alone, grouped by spaces or dashes or not, in readable text; digits
 * of a longer run are no card number (nor does the service's scrubber take them for one).
 */
const cardPattern = (digits: string) => new RegExp(`(?<!\\d)${digits.split('').join('[ -]?')}(?!\\d)`);

/** A JSON text, or the `data:` lines of a server-sent event stream, parsed; undefined when neither. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const events = text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice('data: '.length));
    return events.length ? events.map((data) => parsed(data)) : undefined;
  }
}

/** Every key and string value of a JSON text (or event stream), with the key it sits under. */
function stringsOf(text: string | undefined): Array<[key: string, value: string]> {
  const value = parsed(text ?? '');
  const found: Array<[string, string]> = [];
  const walk = (item: unknown, key: string) => {
    if (typeof item === 'string') found.push([key, item]);
    else if (Array.isArray(item)) item.forEach((entry) => walk(entry, key));
    else if (item !== null && typeof item === 'object') {
      for (const [name, entry] of Object.entries(item)) {
        found.push(['(key)', name]);
        walk(entry, name);
      }
    }
  };
  walk(value, '');
  return found;
}

/** Stand-ins for an X-Request-Id that `build` makes unique: a short one, and one of the longest length echoed. */
const UNIQUE_ID = '\u0001unique';
const UNIQUE_LONG_ID = '\u0001unique200';

interface Tokens {
  own: string;
  publishable: string;
  other: string;
  admin: string;
}

type TokenKind = keyof Tokens | 'garbage' | 'none';

/**
 * Stdout while the service runs: pino's JSON lines, masked by the service's scrubber, which is
 * what the card number check reads for each request.
 */
class LogCapture {
  private chunks: string[] = [];
  private readonly spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    this.chunks.push(chunk.toString());
    return true;
  });

  /** What was logged since the last call. */
  take(): string {
    const text = this.chunks.join('');
    this.chunks = [];
    return text;
  }

  restore(): void {
    this.spy.mockRestore();
  }
}

/**
 * The global log as seen between requests. Every event carries the id of the request that
 * started its flow (`correlation_id`), including the saga steps of a payment that a pay
 * started, so an event is either owed to an accepted request or evidence against a refused one.
 */
class EventWatch {
  private position?: bigint;
  readonly accepted = new Set<string>();
  readonly refused = new Set<string>();

  constructor(private readonly store: EventStore) {}

  async sinceLastLook(): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for await (const event of this.store.readAll({ fromPosition: this.position })) {
      events.push(event);
      this.position = event.position;
    }
    return events;
  }

  /** Events not owed to an accepted request. */
  unexplained(events: readonly RecordedEvent[]): RecordedEvent[] {
    return events.filter((event) => !this.accepted.has(String(event.metadata.correlation_id)));
  }

  describe(events: readonly RecordedEvent[]): string {
    return events.map((event) => `${event.type} on ${event.streamId} (correlation ${String(event.metadata.correlation_id)})`).join(', ');
  }
}

describe.each([
  ['SQLite', false, RUNS],
  // Redis serves the read models, the idempotency records and the rate limits: fewer runs, the same properties.
  ['Redis', true, Math.max(1, Math.ceil(RUNS / 4))],
])('every operation of the OpenAPI document under generated and hostile input, on %s', (backend, redis, runsPerOperation) => {
  const totals = { backend, requests: 0, serverErrors: 0, byStatus: new Map<number, number>() };
  backendRuns.push(totals);
  let t: TestApp;
  let port: number;
  let logs: LogCapture;
  let events: EventWatch;
  let operations: Operation[];
  let tokens: Tokens;
  /** Ids by prefix (`proc`, `cs`, …): the merchant's own and another account's. */
  const own = new Map<string, string[]>();
  const foreign = new Map<string, string[]>();
  /** Which prefix the ids of a collection path have, learnt from the resources created. */
  const prefixOfCollection = new Map<string, string>();
  /** The token each operation takes (secret, publishable or admin), learnt by asking it. */
  const tokenOf = new Map<string, keyof Tokens>();
  let sequence = 0;
  /** Operations that got at least one request. */
  const attacked = new Set<string>();

  const remember = (ids: Map<string, string[]>, id: string, collection?: string) => {
    const prefix = id.split('_', 1)[0];
    ids.set(prefix, [...(ids.get(prefix) ?? []), id]);
    if (collection) prefixOfCollection.set(collection, prefix);
  };
  const allOf = (ids: Map<string, string[]>) => [...ids.values()].flat();

  /** Opens checkout sessions on the merchant's price and route. */
  let openSessions: (count: number) => Promise<string[]>;

  async function resources(shop: PaymentShop, ids: Map<string, string[]>): Promise<void> {
    remember(ids, shop.account.id, '/v1/accounts');
    const created = async (path: string, body: object) => {
      const id = await shop.create(path, body);
      remember(ids, id, path);
      return id;
    };
    const approver = await created('/v1/processors', { name: 'Approver', connector: 'simulator' });
    const decliner = await created('/v1/processors', { name: 'Decliner', connector: 'simulator', simulator: { outcome: 'decline', decline_code: '05' } });
    const route = await created('/v1/processor-routes', { name: 'Cascade', processors: [{ processor_id: decliner }, { processor_id: approver }] });
    const product = await created('/v1/products', { name: 'Plan' });
    const price = await created('/v1/prices', { product_id: product, unit_amount: 4900, currency: 'USD' });
    await created('/v1/customers', { email: 'ada@example.com' });
    const coupon = await created('/v1/coupons', { percent_off: 10 });
    await created('/v1/promotion-codes', { code: `FUZZ${ids === own ? 'OWN' : 'OTHER'}`, coupon_id: coupon });
    const session = () => created('/v1/checkout/sessions', { line_items: [{ price_id: price, quantity: 1 }], processor_route_id: route, success_url: 'https://shop.example/ok' });
    const paid = await session();
    for (let i = 0; i < 3; i++) await session();
    const payment = await shop.pay(paid, { payment_method: card() }).expect(201);
    remember(ids, payment.body.id, '/v1/payments');
    // What follows an approval: a manual payment to capture or void, and a refund to read. The
    // holder and its route stay out of the ids the attacks draw from, so no fuzzed PATCH slows the
    // processor down: a 503 processor_pending from a processor that answers at once is a fault.
    const holder = await shop.create('/v1/processors', { name: 'Holder', connector: 'simulator' });
    const holderRoute = await shop.create('/v1/processor-routes', { name: 'Manual', processors: [{ processor_id: holder }] });
    const held = await shop.create('/v1/checkout/sessions', { line_items: [{ price_id: price, quantity: 1 }], processor_route_id: holderRoute, capture_method: 'manual', success_url: 'https://shop.example/ok' });
    const authorization = await shop.pay(held, { payment_method: card() }).expect(201);
    expect(authorization.body.status).toBe('requires_capture');
    remember(ids, authorization.body.id, '/v1/payments');
    const refund = await shop.t.http().post(`/v1/payments/${payment.body.id}/refunds`).set(bearer(shop.account.secret)).send({ amount: 100 }).expect(201);
    remember(ids, refund.body.id, '/v1/refunds');
    if (ids === own) {
      openSessions = async (count) => {
        const fresh: string[] = [];
        for (let i = 0; i < count; i++) fresh.push(await shop.create('/v1/checkout/sessions', { line_items: [{ price_id: price, quantity: 1 }], processor_route_id: route, success_url: 'https://shop.example/ok' }));
        return fresh;
      };
    }
  }

  /**
   * Open sessions again before an operation on a session is attacked: the expire operation comes
   * first in the document and would leave pay nothing but expired sessions to refuse with 409 or
   * 410, never reaching the cascade. The paid session stays, for the pays that must be refused.
   */
  async function reopenSessions(operation: Operation): Promise<void> {
    const sessions = own.get('cs') ?? [];
    if (!operation.pathParams.some((param) => idsForParam(own, operation.template, param.name) === sessions)) return;
    own.set('cs', [sessions[0], ...(await openSessions(2))]);
    for (const event of await events.sinceLastLook()) events.accepted.add(String(event.metadata.correlation_id));
  }

  beforeAll(async () => {
    logs = new LogCapture();
    // Short pay waits: a processor a fuzzed PATCH made slow answers `processing` instead of holding the run.
    t = await startTestApp({ LOG_LEVEL: 'info', PAY_WAIT_MS: '1000' }, { redis });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    const shop = await PaymentShop.open(t);
    const other = await PaymentShop.open(t);
    await resources(shop, own);
    await resources(other, foreign);
    tokens = { own: shop.account.secret, publishable: shop.account.publishable, other: other.account.secret, admin: ADMIN_TOKEN };
    operations = await operationsOf((await t.http().get('/docs-json').expect(200)).body);
    events = new EventWatch(t.app.get(EVENT_STORE));
    // The set-up's requests went through supertest and were accepted; a payment's saga may still append under their ids.
    for (const event of await events.sinceLastLook()) events.accepted.add(String(event.metadata.correlation_id));
    for (const operation of operations) tokenOf.set(operation.name, await probeToken(operation));
  }, 60_000);

  afterAll(async () => {
    closeConnections();
    await t?.close();
    logs?.restore();
  });

  /** The first token kind the operation does not refuse with 401 or 403 (set-up traffic, checked like the rest). */
  async function probeToken(operation: Operation): Promise<keyof Tokens> {
    for (const kind of ['own', 'admin', 'publishable'] as const) {
      const body = operation.body || operation.method !== 'GET' ? '{}' : undefined;
      const request = build(operation, { token: kind, body, contentType: body && 'application/json', attack: 'token probe' });
      const answer = await exchange(operation, request);
      if (answer.status !== 401 && answer.status !== 403) return kind;
    }
    return 'own';
  }

  // ---- building requests ----

  /** Ids of the collection a path parameter names: `/v1/processors/{id}`'s, or `{account_id}`'s accounts. */
  function idsForParam(ids: Map<string, string[]>, template: string, param: string): string[] {
    const collection = param === 'id' ? template.slice(0, template.indexOf(`/{${param}}`)) : `/v1/${param.replace(/_id$/, '')}s`;
    const prefix = prefixOfCollection.get(collection);
    return (prefix && ids.get(prefix)) || allOf(ids);
  }

  /** For `*_id` body fields: the example's prefix says which kind of id (`proc_stg_a`: a processor). */
  const bodyIds: IdSource = (field, example) => {
    const prefix = typeof example === 'string' && example.includes('_') ? example.split('_', 1)[0] : undefined;
    const mine = (prefix && own.get(prefix)) || allOf(own);
    const theirs = (prefix && foreign.get(prefix)) || allOf(foreign);
    return fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...mine) },
      { weight: 1, arbitrary: fc.constantFrom(...theirs) },
      { weight: 1, arbitrary: fc.constant(typeof example === 'string' ? example : `${field}_unknown`) },
    );
  };

  interface Parts {
    token?: TokenKind | string;
    pathIds?: Record<string, string>;
    query?: string;
    headers?: OutgoingHttpHeaders;
    body?: string | Buffer;
    contentType?: string;
    method?: string;
    attack: string;
  }

  const tokenValue = (kind: TokenKind | string): string | undefined => {
    if (kind === 'none') return undefined;
    if (kind === 'garbage') return 'Bearer st_stg_notARealTokenAtAll0000';
    return kind in tokens ? `Bearer ${tokens[kind as keyof Tokens]}` : kind;
  };

  function build(operation: Operation, parts: Parts): FuzzRequest {
    const path = operation.template.replace(/\{([^}]+)\}/g, (_, name: string) => parts.pathIds?.[name] ?? percentEncode(idsForParam(own, operation.template, name)[0]));
    const unique = `fuzz_${backend}_${++sequence}`;
    const headers: OutgoingHttpHeaders = { 'X-Request-Id': unique, ...parts.headers };
    if (headers['X-Request-Id'] === UNIQUE_ID) headers['X-Request-Id'] = unique;
    if (headers['X-Request-Id'] === UNIQUE_LONG_ID) headers['X-Request-Id'] = `${unique}_`.padEnd(200, 'z');
    const authorization = tokenValue(parts.token ?? tokenOf.get(operation.name) ?? 'own');
    if (authorization !== undefined && !('Authorization' in headers)) headers.Authorization = authorization;
    if (parts.contentType !== undefined && !('Content-Type' in headers)) headers['Content-Type'] = parts.contentType;
    for (const [name, value] of Object.entries(headers)) if (value === undefined) delete headers[name];
    return new FuzzRequest(operation.name, parts.method ?? operation.method, parts.query ? `${path}?${parts.query}` : path, headers, parts.body, parts.attack);
  }

  /** A body the operation's schema describes, as JSON text (undefined for an operation that takes none). */
  function validBody(operation: Operation): fc.Arbitrary<{ value: unknown; text?: string }> {
    if (!operation.body) return fc.constant({ value: undefined });
    // No schema in the document (yet): an empty object is the most a client could guess.
    return (operation.body.json ? schemaValue(operation.body.json, bodyIds) : fc.constant({})).map((value) => ({ value, text: renderJson(value) }));
  }

  const bodyType = (operation: Operation) => (operation.body?.jsonAccepted === false && operation.body.formAccepted ? 'application/x-www-form-urlencoded' : 'application/json');

  function bodies(operation: Operation): fc.Arbitrary<FuzzRequest> {
    const valid = validBody(operation);
    const json = fc.oneof(
      { weight: 1, arbitrary: valid.map(({ text }) => ({ text: text ?? '{}', attack: 'valid-looking body' })) },
      { weight: 6, arbitrary: mutatedBody(valid.map(({ value }) => value ?? {})).map(({ value, edit }) => ({ text: renderJson(value), attack: edit })) },
      { weight: 2, arbitrary: hostileBodyText.map((text) => ({ text, attack: 'body that is no object of the schema' })) },
    );
    const asJson = fc.tuple(json, ownPathIds(operation)).map(([{ text, attack }, pathIds]) => build(operation, { pathIds, body: text, contentType: bodyType(operation), attack }));
    if (!operation.body?.formAccepted) return asJson;
    const asForm = fc
      .oneof(valid.map(({ value }) => ({ value, attack: 'valid-looking form' })), mutatedBody(valid.map(({ value }) => value ?? {})).map(({ value, edit }) => ({ value, attack: `form: ${edit}` })))
      .chain(({ value, attack }) => ownPathIds(operation).map((pathIds) => build(operation, { pathIds, body: renderForm(value).join('&'), contentType: 'application/x-www-form-urlencoded', attack })));
    return fc.oneof({ weight: 2, arbitrary: asJson }, { weight: 1, arbitrary: asForm });
  }

  /** Own ids of the right kind for the path: where no other part is attacked, the request reaches the resource. */
  function ownPathIds(operation: Operation): fc.Arbitrary<Record<string, string>> {
    const params = operation.pathParams.map((param) => fc.constantFrom(...idsForParam(own, operation.template, param.name)).map((id) => [param.name, percentEncode(id)] as const));
    return fc.tuple(...params).map((chosen) => Object.fromEntries(chosen));
  }

  /** With real path ids and its valid-looking body, so that what is attacked is the one part. */
  const withDefaults = (operation: Operation, make: (body: string | undefined, pathIds: Record<string, string>) => fc.Arbitrary<FuzzRequest>): fc.Arbitrary<FuzzRequest> =>
    fc.tuple(validBody(operation), ownPathIds(operation)).chain(([{ text }, pathIds]) => make(text, pathIds));

  function queryStrings(operation: Operation): fc.Arbitrary<FuzzRequest> {
    const documented = operation.query.map((parameter) => parameter.name);
    const anywhere = [...new Set(operations.flatMap((other) => other.query.map((parameter) => parameter.name)))];
    const key = fc.oneof(
      { weight: 4, arbitrary: documented.length ? fc.constantFrom(...documented) : fc.constantFrom('limit', 'offset') },
      { weight: 2, arbitrary: anywhere.length ? fc.constantFrom(...anywhere) : fc.constant('expand') },
      { weight: 1, arbitrary: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'limit[]', 'limit[0]', 'limit[a]', 'expand[__proto__]', '', 'a'.repeat(2_000)), cardNumber) },
    );
    const schemaValues = operation.query.map((parameter) => schemaValue(parameter.schema, bodyIds, parameter.name).map((value) => (Array.isArray(value) ? value.join(',') : String(value))));
    const value = fc.oneof(
      ...(schemaValues.length ? [{ weight: 3, arbitrary: fc.oneof(...schemaValues) }] : []),
      { weight: 2, arbitrary: fc.constantFrom('0', '-1', '101', '100', '1', '1.5', '', ' 1', '1 ', '+1', '0x10', '１', '01', '1e2', '9'.repeat(400), '9007199254740993', 'NaN', 'null', 'custom_fields', 'custom_fields,custom_fields', '*', 'line_items', ',,,', 'open', 'COMPLETE') },
      { weight: 2, arbitrary: hostileNumber.map(String) },
      { weight: 2, arbitrary: hostileString.filter((text) => text.length < 1_000) },
      { weight: 1, arbitrary: cardNumber },
    );
    const pair = fc.tuple(key, value, fc.constantFrom('encoded', 'plus for spaces', 'bracket array', 'no value', 'raw')).map(([name, text, shape]) => {
      const k = percentEncode(name);
      if (shape === 'no value') return k;
      if (shape === 'bracket array') return `${k}[]=${percentEncode(text)}`;
      if (shape === 'plus for spaces') return `${k}=${percentEncode(text).replace(/%20/g, '+')}`;
      // Unencoded bytes a careless client sends, and percent signs that decode to nothing.
      if (shape === 'raw') return `${k}=${text.replace(/[^\x21-\x7e]/g, (c) => percentEncode(c)).replace(/#/g, '%23')}${text.length % 3 === 0 ? '%' : text.length % 3 === 1 ? '%zz' : '%E0%A4'}`;
      return `${k}=${percentEncode(text)}`;
    });
    // Repeated keys come from drawing the same key twice.
    return withDefaults(operation, (body, pathIds) =>
      fc.array(pair, { minLength: 1, maxLength: 6 }).map((pairs) => build(operation, { pathIds, query: pairs.join('&'), body, contentType: body && bodyType(operation), attack: 'query string' })),
    );
  }

  function pathIds(operation: Operation): fc.Arbitrary<FuzzRequest> {
    const idFor = (name: string) => {
      const mine = idsForParam(own, operation.template, name);
      const theirs = idsForParam(foreign, operation.template, name);
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...mine).map((id) => ({ id: percentEncode(id), what: 'own id' })) },
        { weight: 1, arbitrary: fc.constantFrom(...allOf(own)).map((id) => ({ id: percentEncode(id), what: 'own id of any kind' })) },
        { weight: 2, arbitrary: fc.constantFrom(...theirs).map((id) => ({ id: percentEncode(id), what: "another account's id" })) },
        { weight: 2, arbitrary: cardNumber.map((id) => ({ id: percentEncode(id), what: 'card number' })) },
        { weight: 1, arbitrary: fc.constantFrom(...mine).map((id) => ({ id: `${id}${'x'.repeat(5_000 - id.length)}`, what: '5,000-character id' })) },
        {
          weight: 3,
          arbitrary: fc
            .constantFrom('a%2Fb', '..%2F..%2Fv1%2Faccounts', '%2e%2e', '%2E', '%00', '%ED%A0%80', '%C0%AF', '%', '%zz', '%F0%9F%92%B3', 'cs_stg_%0D%0AX-Injected:%201', ';', '%3Fx=1', '*', 'null', 'undefined', '__proto__', 'constructor', '%20', '4242%204242%204242%204242', '5555+5555+5555+4444')
            .map((id) => ({ id, what: 'garbage id' })),
        },
        { weight: 2, arbitrary: hostileString.filter((text) => text.length > 0 && text.length < 1_000).map((text) => ({ id: percentEncode(text), what: 'hostile text id' })) },
      );
    };
    const params = operation.pathParams.map((param) => idFor(param.name).map((choice) => [param.name, choice] as const));
    return withDefaults(operation, (body) =>
      fc.tuple(...params).map((chosen) =>
        build(operation, { pathIds: Object.fromEntries(chosen.map(([name, { id }]) => [name, id])), body, contentType: body && bodyType(operation), attack: `path: ${chosen.map(([name, { what }]) => `${name} ${what}`).join(', ')}` }),
      ),
    );
  }

  const headerText = fc.oneof(
    fc.constantFrom('', ' ', '\t', 'clé-été', 'x'.repeat(256), 'x'.repeat(255), 'x'.repeat(8_000), 'a,b', '"quoted"', 'fuzz-reused-key'),
    cardNumber,
    fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((text) => text.replace(/[^\t\x20-\x7e]/g, '')),
  );

  /**
   * X-Request-Id oddities. The ids the service echoes must differ from request to request, since
   * they tell which request an event is owed to: sane ones are made unique as the request is built.
   */
  const requestIdText = () =>
    fc.oneof(
      fc.constantFrom('', ' ', 'two words', 'x'.repeat(201), 'a%0d%0aSet-Cookie:x', 'clé', '"quoted"', 'a\tb', tokens.own, UNIQUE_ID, UNIQUE_LONG_ID),
      cardNumber,
    );

  function headers(operation: Operation): fc.Arbitrary<FuzzRequest> {
    const contentType = fc.constantFrom<string | undefined>(
      'application/json',
      'text/plain',
      undefined,
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json;charset=UTF-8',
      'APPLICATION/JSON',
      'application/problem+json',
      'application/merge-patch+json',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json, text/plain',
      '',
      '*/*',
    );
    const token = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom<TokenKind>('own', 'publishable', 'other', 'admin', 'garbage', 'none') },
      {
        weight: 2,
        arbitrary: fc.oneof(
          fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `bearer  ${tokens.own}`, `Bearer ${tokens.own} extra`, `Bearer ${tokens.own.toUpperCase()}`, `Bearer ${'x'.repeat(10_000)}`, `Bearer ${tokens.own.slice(0, -1)}`, `Bearer pt_stg_${'a'.repeat(30)}`, `Token ${tokens.own}`),
          cardNumber.map((card) => `Bearer ${card}`),
        ),
      },
    );
    const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { freq: 2, nil: undefined });
    const extras = fc.record(
      {
        'Idempotency-Key': optional(fc.oneof(headerText, fc.constantFrom(`fuzz-${operation.name}`))),
        'X-Request-Id': optional(requestIdText()),
        Accept: optional(fc.constantFrom('text/html', 'application/xml', '*/*', 'application/problem+json', '')),
        'Content-Encoding': optional(fc.constantFrom('gzip', 'br', 'identity', 'deflate, gzip', 'x-unknown')),
        'User-Agent': optional(cardNumber),
        Cookie: optional(cardNumber.map((card) => `card=${card}`)),
      },
      { requiredKeys: [] },
    );
    return withDefaults(operation, (body, pathIds) =>
      fc
        .tuple(contentType, token, extras, fc.constantFrom('json', 'form', 'none'), fc.boolean())
        .map(([type, kind, extra, encoding, bodyOnGet]) => {
          const value = body ?? (bodyOnGet ? `{"payment_method":${renderJson(card(CARD_NUMBERS[1]))}}` : undefined);
          const sent = value === undefined || encoding === 'json' ? value : encoding === 'form' ? renderForm(JSON.parse(value)).join('&') : Buffer.from(value);
          const attack = `headers: Content-Type ${type ?? 'none'}, ${encoding} body, token ${kind.length > 40 ? `${kind.slice(0, 40)}…` : kind}`;
          return build(operation, { pathIds, token: kind, body: sent, headers: { 'Content-Type': type, ...extra }, attack });
        }),
    );
  }

  /** Methods the document does not give a path, and spellings of the path. */
  function methodsAndPaths(operation: Operation): fc.Arbitrary<FuzzRequest> {
    const documented = operations.filter((other) => other.template === operation.template).map((other) => other.method);
    const undocumented = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'].filter((method) => !documented.includes(method));
    return fc.tuple(fc.constantFrom(...undocumented, operation.method), fc.constantFrom('as is', 'trailing slash', 'double slash', 'upper case', 'dot segment'), ownPathIds(operation)).map(([method, spelling, pathIds]) => {
      const request = build(operation, { pathIds, method, body: method === 'GET' ? undefined : '{}', contentType: method === 'GET' ? undefined : 'application/json', attack: `${method} on ${spelling} path` });
      const path = spelling === 'trailing slash' ? `${request.path}/` : spelling === 'double slash' ? request.path.replace('/v1/', '//v1//') : spelling === 'upper case' ? request.path.toUpperCase() : spelling === 'dot segment' ? request.path.replace('/v1/', '/v1/./x/../') : request.path;
      return new FuzzRequest(request.operation, request.method, path, request.headers, request.body, request.attack);
    });
  }

  // ---- what every answer must hold ----

  async function exchange(operation: Operation, request: FuzzRequest): Promise<Answer> {
    logs.take();
    const before = await events.sinceLastLook();
    // Events that landed after an earlier request answered: owed to an accepted one, never to a refused one.
    const late = before.filter((event) => events.refused.has(String(event.metadata.correlation_id)));
    let answer: Answer;
    try {
      answer = await send(port, request);
    } catch (error) {
      throw new Error(`no answer (${String(error)})\n${request.describe()}`);
    }
    totals.requests++;
    attacked.add(operation.name);
    totals.byStatus.set(answer.status, (totals.byStatus.get(answer.status) ?? 0) + 1);
    if (answer.status >= 500) totals.serverErrors++;
    const appended = await events.sinceLastLook();
    const logged = logs.take();
    const requestId = String(answer.headers['x-request-id']);
    (answer.status >= 400 ? events.refused : events.accepted).add(requestId);

    const problems: string[] = [];
    if (answer.status >= 500) problems.push(`answered ${answer.status}`);
    if (!answer.headers['x-request-id']) problems.push('no X-Request-Id header');
    if (answer.status >= 400) problems.push(...problemDocumentFaults(answer, requestId));
    for (const digits of CARD_NUMBERS) {
      const pattern = cardPattern(digits);
      if (!pattern.test(readable(request.text()))) continue;
      if (pattern.test(readable(answer.text)) || pattern.test(readable(JSON.stringify(answer.headers)))) {
        problems.push(`the answer repeats the card number ****${digits.slice(-4)} the request carried`);
      }
      if (pattern.test(readable(logged))) problems.push(`the log repeats the card number ****${digits.slice(-4)} the request carried`);
    }
    if (late.length) problems.push(`events appended after a refused request answered: ${events.describe(late)}`);
    if (answer.status >= 400 && answer.status < 500 && events.unexplained(appended).length) {
      problems.push(`refused with ${answer.status} but appended ${events.describe(events.unexplained(appended))}`);
    }
    problems.push(...authorizationFaults(operation, request, answer));
    if (problems.length) {
      const stack = logged.split('\n').filter((line) => line.includes('"level":"error"')).join('\n');
      throw new Error(`${problems.join('; ')}\n${request.describe()}\n  answer: ${answer.status} ${excerpt(JSON.stringify(answer.headers), 300)}\n  body: ${excerpt(answer.text, 600)}${stack ? `\n  log: ${excerpt(stack, 4_000)}` : ''}\n  replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} npm run fuzz`);
    }
    return answer;
  }

  function problemDocumentFaults(answer: Answer, requestId: string): string[] {
    const faults: string[] = [];
    if (!/^application\/problem\+json/.test(String(answer.headers['content-type']))) faults.push(`error with Content-Type ${String(answer.headers['content-type'])}`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(answer.text) as Record<string, unknown>;
    } catch {
      return [...faults, 'error body is not JSON'];
    }
    for (const field of ['type', 'title', 'detail', 'instance']) if (typeof body[field] !== 'string') faults.push(`problem without a string \`${field}\``);
    if (body.status !== answer.status) faults.push(`problem status ${String(body.status)} on a ${answer.status}`);
    // A replayed answer is the first one byte for byte (API.md), request_id included, under the replay's own X-Request-Id, as Stripe's are.
    const replayed = answer.headers['idempotent-replayed'] === 'true';
    if (replayed && !events.refused.has(String(body.request_id))) faults.push(`replayed problem request_id ${String(body.request_id)} is no earlier refused request's`);
    if (!replayed && body.request_id !== requestId) faults.push(`problem request_id ${String(body.request_id)} is not the X-Request-Id ${requestId}`);
    return faults;
  }

  /** The token the request carries, if it is one of ours, as the auth guard reads it. */
  function tokenSent(request: FuzzRequest): keyof Tokens | undefined {
    const [, token] = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(String(request.headers.Authorization ?? '')) ?? [];
    return (Object.keys(tokens) as Array<keyof Tokens>).find((kind) => tokens[kind] === token);
  }

  /** A request without one of our tokens gets 401; another account's token never reaches the first one's resources. */
  function authorizationFaults(operation: Operation, request: FuzzRequest, answer: Answer): string[] {
    const faults: string[] = [];
    const token = tokenSent(request);
    // 431: the headers were too large to read, the token among them.
    if (operation.secured && token === undefined && answer.status !== 401 && answer.status !== 431) faults.push(`a secured operation answered ${answer.status} to a request without a valid token, not 401`);
    const namesOwnId = allOf(own).some((id) => request.path.includes(id) || (typeof request.body === 'string' && request.body.includes(id)));
    if (token === 'other' && namesOwnId && answer.status < 300) faults.push(`another account's token got ${answer.status} on a request naming this account's ids`);
    return faults;
  }

  // ---- the properties ----

  const attacks: Array<[string, (operation: Operation) => boolean, (operation: Operation) => fc.Arbitrary<FuzzRequest>]> = [
    ['bodies generated from the request schema, then mutated', (operation) => operation.body !== undefined || operation.method !== 'GET', bodies],
    ['query strings out of range, repeated, bracketed and hostile', () => true, queryStrings],
    ['path ids: real, foreign, garbage, oversized, encoded, card numbers', (operation) => operation.pathParams.length > 0, pathIds],
    ['headers: media types, foreign and odd tokens, Idempotency-Key and request id oddities', () => true, headers],
    ['methods and path spellings the document does not list', () => true, methodsAndPaths],
  ];

  it.each(attacks)('%s: never a 5xx, always problem details with the request id, no card number back, nothing appended when refused', async (attack, applies, arbitrary) => {
    const targets = operations.filter(applies);
    expect(targets.length).toBeGreaterThan(0);
    // Every operation is attacked even when one fails, so that a run reports all it found.
    const failures: string[] = [];
    for (const operation of targets) {
      await reopenSessions(operation);
      try {
        await fc.assert(
          fc.asyncProperty(arbitrary(operation), async (request) => {
            await exchange(operation, request);
          }),
          { seed: seedFor(`${attack} ${operation.name}`), numRuns: runsPerOperation },
        );
      } catch (error) {
        // fast-check's message gives the seed and path of the counterexample; its cause says what the answer broke.
        const { message, cause } = error as Error & { cause?: Error };
        failures.push(`${operation.name}: ${message.split('\n').slice(0, 2).join(' ')}\n${cause?.message ?? message}`);
      }
    }
    if (failures.length) throw new Error(`${failures.length} of ${targets.length} operations failed:\n\n${failures.join('\n\n')}`);
  }, TIMEOUT);

  it('sent requests to every operation of the document, and no refused request appended an event after the last one', async () => {
    const late = (await events.sinceLastLook()).filter((event) => events.refused.has(String(event.metadata.correlation_id)));
    expect(events.describe(late)).toBe('');
    expect(operations.length).toBeGreaterThan(30);
    expect(operations.map((operation) => operation.name).filter((name) => !attacked.has(name))).toEqual([]);
    expect(totals.requests).toBeGreaterThan(operations.length * runsPerOperation * 3);
  });
});

/** What the suite found, as a user meets it. Each was fixed, with a unit test beside the fix. */
describe('what the OpenAPI fuzz suite found', () => {
  let t: TestApp;
  let shop: PaymentShop;
  let logs: LogCapture;
  const secret = () => bearer(shop.account.secret);
  const visa = cardPattern(CARD_NUMBERS[0]);

  beforeAll(async () => {
    logs = new LogCapture();
    t = await startTestApp({ LOG_LEVEL: 'info' });
    shop = await PaymentShop.open(t);
  });
  afterAll(async () => {
    await t.close();
    logs.restore();
  });

  it('replaces an X-Request-Id holding a card number instead of echoing it and storing it in events', async () => {
    const res = await t.http().post('/v1/products').set(secret()).set('X-Request-Id', CARD_NUMBERS[0]).send({ name: 'Plan' }).expect(201);

    expect(res.headers['x-request-id']).toMatch(/^req_/);
    const stored: string[] = [];
    for await (const event of (t.app.get(EVENT_STORE) as EventStore).readAll()) stored.push(JSON.stringify(event.metadata));
    expect(stored.join('\n')).not.toMatch(visa);
  });

  it('masks a card number in a path written with %20 between its groups, in the problem and in the log', async () => {
    logs.take();
    const res = await t.http().get('/v1/payments/4242%204242%204242%204242').set(secret()).expect(404);

    expect(res.body.instance).toBe('/v1/payments/****4242');
    expect(readable(res.text)).not.toMatch(visa);
    expect(readable(logs.take())).not.toMatch(visa);
  });

  it('answers headers larger than the server reads with problem details and a request id', async () => {
    const res = await t.http().post('/v1/products').set(secret()).set('Idempotency-Key', 'k'.repeat(20_000)).send({ name: 'Plan' }).expect(431);

    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text)).toMatchObject({ status: 431, instance: '/v1/products', request_id: res.headers['x-request-id'] });
  });

  it('answers a fee percent of 1e-7 with 400 naming the field, not 500', async () => {
    const res = await t.http().post('/v1/processors').set(secret()).type('json').send('{"name":"p","connector":"simulator","fees":{"percent":1e-7,"fixed":0}}').expect(400);
    expect(res.body.errors).toEqual([{ field: 'fees.percent', message: 'is a number with more than 6 decimal places' }]);
  });

  it('answers an offset no number holds with 400, not 500', async () => {
    const res = await t.http().get('/v1/customers?offset=9007199254740993').set(secret()).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'offset' })]);
  });

  it.each([
    ['a route rule', '/v1/processor-routes', (processor: string) => ({ name: 'r', processors: [{ processor_id: processor }], strategy: 'rule_based', rules: [[]] }), 'rules[0]'],
    ['a route processor', '/v1/processor-routes', (processor: string) => ({ name: 'r', processors: [[{ processor_id: processor }]] }), 'processors[0]'],
    ['a line item', '/v1/checkout/sessions', () => ({ line_items: [[]], success_url: 'https://shop.example/ok' }), 'line_items[0]'],
  ])('answers a list where %s belongs with 400 naming it, not 500', async (_what, path, body, field) => {
    const processor = await shop.processor('Approver');
    const res = await t.http().post(path).set(secret()).send(body(processor)).expect(400);
    expect(res.body.errors).toEqual([{ field, message: 'must be an object, not a list' }]);
  });

  it('refuses a product name holding a card number instead of storing it and answering it back', async () => {
    const res = await t.http().post('/v1/products').set(secret()).send({ name: `Card ${CARD_NUMBERS[0].replace(/(\d{4})(?=\d)/g, '$1 ')}` });
    expect(res.status).toBe(422);
    expect(res.text).not.toMatch(visa);
  });

  it.each([
    ['malformed JSON', '{"name":'],
    ['a body nested too deep', `{"name":${'['.repeat(100)}${']'.repeat(100)}}`],
    ['a prototype key', '{"name":"p","__proto__":{}}'],
  ])('answers 401 to %s without a token, saying nothing about the body', async (_what, body) => {
    await t.http().post('/v1/products').type('json').send(body).expect(401);
  });
});
