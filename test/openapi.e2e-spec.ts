import { existsSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { OpenAPIObject } from '@nestjs/swagger';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import type { OperationObject, ParameterObject, ReferenceObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { OpenApiContract } from './support/openapi-contract';
import { PaymentShop, card } from './support/payment-shop';
import { ADMIN_TOKEN, TestApp, bearer, startTestApp } from './support/test-app';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const PROBLEM = 'application/problem+json';
const PROBLEM_FIELDS = ['type', 'title', 'status', 'detail', 'instance', 'request_id'];
/**
 * Router entries that are not API routes: SwaggerModule's own (they serve the document), and the
 * wildcard entries through which Nest mounts middleware bound to every route (`forRoutes('*')`).
 */
const NOT_AN_OPERATION = /^\/docs(-json|-yaml)?(\/|$)|\*/;
/**
 * The pages (API.md "Pages"): HTML for people, not operations for clients, left out of the
 * document by `@ApiExcludeController`. Named here, so that no API route can leave it unnoticed.
 */
const PAGES = /^\/(checkout|dashboard|assets)(\/|$)/;

interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  operation: OperationObject;
}

function operationsOf(document: OpenAPIObject): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) => METHODS.filter((method) => item[method]).map((method) => ({ method, path, operation: item[method]! })));
}

const label = ({ method, path }: Operation) => `${method.toUpperCase()} ${path}`;

/** The routes Express serves, as `METHOD /path/{param}`. */
function expressRoutes(t: TestApp): string[] {
  const router = (t.app.getHttpAdapter().getInstance() as { _router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } })._router;
  return router.stack.flatMap(({ route }) =>
    route && !NOT_AN_OPERATION.test(route.path) ? Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`) : [],
  );
}

/**
 * Every Nest route handler with what the test needs of it: its operationId, whether it reads a
 * body, and whether its query takes limit and offset (a query class built on PaginationQuery).
 */
function handlers(t: TestApp): Array<{ name: string; operationId?: string; readsBody: boolean; paginated: boolean }> {
  return [...t.app.get(ModulesContainer).values()].flatMap((module) =>
    [...module.controllers.values()].flatMap(({ metatype }) => {
      if (typeof metatype !== 'function' || PAGES.test(`/${Reflect.getMetadata(PATH_METADATA, metatype)}`)) return [];
      return Object.getOwnPropertyNames(metatype.prototype)
        .filter((name) => typeof metatype.prototype[name] === 'function' && Reflect.getMetadata(METHOD_METADATA, metatype.prototype[name]) !== undefined)
        .map((name) => {
          const handler = metatype.prototype[name];
          const args = Object.entries((Reflect.getMetadata(ROUTE_ARGS_METADATA, metatype, name) ?? {}) as Record<string, { index: number }>);
          const types = (Reflect.getMetadata('design:paramtypes', metatype.prototype, name) ?? []) as Array<new () => object>;
          const reads = (kind: RouteParamtypes) => args.filter(([key]) => key.split(':')[0] === String(kind)).map(([, { index }]) => types[index]);
          return {
            name: `${RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number]} ${metatype.name}.${name} (${String(Reflect.getMetadata(PATH_METADATA, handler))})`,
            operationId: (Reflect.getMetadata(DECORATORS.API_OPERATION, handler) as { operationId?: string } | undefined)?.operationId,
            readsBody: reads(RouteParamtypes.BODY).length > 0,
            paginated: reads(RouteParamtypes.QUERY).some((query) => typeof query === 'function' && ['limit', 'offset'].every((field) => field in new query())),
          };
        });
    }),
  );
}

describe('the OpenAPI document at /docs-json', () => {
  let t: TestApp;
  let document: OpenAPIObject;
  let operations: Operation[];
  const resolve = <T extends object>(item: T | ReferenceObject): T => {
    if (!('$ref' in item)) return item;
    const [, , kind, name] = item.$ref.split('/');
    return (document.components as Record<string, Record<string, T>>)[kind][name];
  };
  const responses = (operation: OperationObject) => Object.entries(operation.responses).map(([status, response]) => ({ status: Number(status), response: resolve<ResponseObject>(response!) }));
  const parameters = (operation: OperationObject) => (operation.parameters ?? []).map((parameter) => resolve<ParameterObject>(parameter));

  beforeAll(async () => {
    t = await startTestApp();
    document = (await t.http().get('/docs-json').expect(200)).body;
    operations = operationsOf(document);
  });
  afterAll(() => t.close());

  it('is a valid OpenAPI 3 document', async () => {
    // The validator resolves references in place: it gets a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    expect(document.openapi).toMatch(/^3\./);
  });

  it('lists every route the app maps, with the same method and path, and nothing else', () => {
    const mapped = expressRoutes(t)
      .filter((route) => !PAGES.test(route.split(' ')[1]))
      .sort();
    expect(mapped.length).toBeGreaterThan(30);
    expect(operations.map(label).sort()).toEqual(mapped);
  });

  it('leaves the pages out', () => {
    expect(expressRoutes(t)).toEqual(expect.arrayContaining(['GET /checkout/{secure_token}', 'POST /checkout/{secure_token}', 'GET /dashboard']));
    expect(operations.filter(({ path }) => PAGES.test(path)).map(label)).toEqual([]);
  });

  it('gives every operation a readable, unique operationId, a summary and a tag', () => {
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(operations.length);
    for (const entry of operations) {
      expect([label(entry), entry.operation.operationId]).toEqual([label(entry), expect.stringMatching(/^(get|list|create|update|delete|pay|expire|capture|void)[A-Z][A-Za-z]+$/)]);
      expect([label(entry), entry.operation.summary]).toEqual([label(entry), expect.any(String)]);
      expect([label(entry), entry.operation.tags?.length]).toEqual([label(entry), 1]);
    }
    const declared = (document.tags ?? []).map((tag) => tag.name);
    expect(new Set(operations.flatMap(({ operation }) => operation.tags ?? []))).toEqual(new Set(declared));
  });

  it('gives every handler an operationId the document knows, and a request body where it reads one', () => {
    const byId = new Map(operations.map((entry) => [entry.operation.operationId, entry]));
    for (const handler of handlers(t)) {
      const entry = handler.operationId === undefined ? undefined : byId.get(handler.operationId);
      expect([handler.name, entry !== undefined]).toEqual([handler.name, true]);
      const body = entry!.operation.requestBody && resolve(entry!.operation.requestBody);
      expect([handler.name, body !== undefined]).toEqual([handler.name, handler.readsBody]);
      if (body) {
        expect([handler.name, Object.keys(body.content)]).toEqual([handler.name, expect.arrayContaining(['application/json'])]);
        for (const media of Object.values(body.content)) expect(media.schema).toEqual({ $ref: expect.stringMatching(/^#\/components\/schemas\/\w+$/) });
      }
    }
  });

  it('gives every operation a success response with a schema (a 204 has no body)', () => {
    for (const entry of operations) {
      const success = responses(entry.operation).filter(({ status }) => status >= 200 && status < 300);
      expect([label(entry), success.length]).toEqual([label(entry), 1]);
      const [{ status, response }] = success;
      if (status === 204) expect([label(entry), response.content]).toEqual([label(entry), undefined]);
      else expect([label(entry), Object.values(response.content ?? {}).map((media) => media.schema !== undefined)]).toEqual([label(entry), [true]]);
    }
  });

  it('describes every error as problem details, and gives a 4xx to every operation that takes a token, a parameter or a body', () => {
    const problemDetails = resolve<{ required?: string[] }>({ $ref: '#/components/schemas/ProblemDetails' });
    expect(problemDetails.required).toEqual(PROBLEM_FIELDS);
    for (const entry of operations) {
      const errors = responses(entry.operation).filter(({ status }) => status >= 400);
      for (const { status, response } of errors) {
        expect([label(entry), status, Object.keys(response.content ?? {})]).toEqual([label(entry), status, [PROBLEM]]);
        const schema = resolve<{ required?: string[] }>(response.content![PROBLEM].schema!);
        expect([label(entry), status, schema.required]).toEqual([label(entry), status, expect.arrayContaining(PROBLEM_FIELDS)]);
        expect([label(entry), status, response.description.length > 10]).toEqual([label(entry), status, true]);
      }
      const public_ = entry.operation.security?.length === 0 && parameters(entry.operation).length === 0 && !entry.operation.requestBody;
      if (!public_) expect([label(entry), errors.some(({ status }) => status < 500)]).toEqual([label(entry), true]);
    }
  });

  it('gives every operation with a token 401, 403, 429 (with Retry-After), 500 and 503', () => {
    for (const entry of operations.filter(({ operation }) => operation.security?.length !== 0)) {
      const statuses = responses(entry.operation).map(({ status }) => status);
      expect([label(entry), statuses]).toEqual([label(entry), expect.arrayContaining([401, 403, 429, 500, 503])]);
      expect([label(entry), Object.keys(resolve<ResponseObject>(entry.operation.responses['429']!).headers ?? {})]).toEqual([label(entry), expect.arrayContaining(['Retry-After'])]);
    }
  });

  it('gives every operation with a body 400, 413, 415 and 422, and 415 to every POST and PATCH', () => {
    for (const entry of operations.filter(({ operation }) => operation.requestBody)) {
      expect([label(entry), responses(entry.operation).map(({ status }) => status)]).toEqual([label(entry), expect.arrayContaining([400, 413, 415, 422])]);
    }
    for (const entry of operations.filter(({ method }) => method === 'post' || method === 'patch')) {
      expect([label(entry), entry.operation.responses['415'] !== undefined]).toEqual([label(entry), true]);
    }
  });

  it('takes Idempotency-Key on every POST, and answers X-Request-Id on every response', () => {
    for (const entry of operations) {
      const headers = parameters(entry.operation).filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name);
      if (entry.method === 'post') expect([label(entry), headers]).toEqual([label(entry), ['Idempotency-Key']]);
      for (const { status, response } of responses(entry.operation)) {
        expect([label(entry), status, Object.keys(response.headers ?? {})]).toEqual([label(entry), status, expect.arrayContaining(['X-Request-Id'])]);
      }
    }
  });

  it('takes limit and offset on every list, and answers {items, total, has_more}', () => {
    const paginated = new Set(handlers(t).filter((handler) => handler.paginated).map((handler) => handler.operationId));
    const lists = operations.filter(({ operation }) => paginated.has(operation.operationId));
    expect(lists.length).toBeGreaterThan(8);
    const pages = operations.filter(({ operation }) => (resolve<ResponseObject>(operation.responses['200'] ?? { description: '' }).content?.['application/json']?.schema as ReferenceObject | undefined)?.$ref?.endsWith('Page'));
    expect(pages.map(label).sort()).toEqual(lists.map(label).sort());
    for (const entry of lists) {
      const query = parameters(entry.operation).filter((parameter) => parameter.in === 'query');
      expect([label(entry), query.find((p) => p.name === 'limit')?.schema]).toEqual([label(entry), { type: 'integer', minimum: 1, maximum: 100, default: 50 }]);
      expect([label(entry), query.find((p) => p.name === 'offset')?.schema]).toEqual([label(entry), { type: 'integer', minimum: 0, default: 0 }]);
      const page = resolve<{ required?: string[] }>(resolve<ResponseObject>(entry.operation.responses['200']!).content!['application/json'].schema!);
      expect(page.required).toEqual(['items', 'total', 'has_more']);
    }
  });

  it('shows request and response examples that fit their schemas, for the main flows', () => {
    const contract = new OpenApiContract(document);
    const examples: string[] = [];
    for (const entry of operations) {
      const bodies = entry.operation.requestBody ? Object.entries(resolve(entry.operation.requestBody).content).map(([type, media]) => [`${type} request`, media] as const) : [];
      const answers = responses(entry.operation).flatMap(({ status, response }) => Object.entries(response.content ?? {}).map(([type, media]) => [`${status} ${type}`, media] as const));
      for (const [where, media] of [...bodies, ...answers]) {
        const values = [...(media.example === undefined ? [] : [media.example]), ...Object.values(media.examples ?? {}).map((example) => resolve(example).value)];
        for (const value of values) {
          examples.push(`${entry.operation.operationId} ${where}`);
          expect([label(entry), where, contract.errorsOf(media.schema, value)]).toEqual([label(entry), where, []]);
        }
      }
    }
    expect(examples).toEqual(
      expect.arrayContaining([
        'createProcessor application/json request',
        'createProcessor 201 application/json',
        'createProcessorRoute application/json request',
        'createProcessorRoute 201 application/json',
        'createCheckoutSession application/json request',
        'createCheckoutSession 201 application/json',
        'payCheckoutSession application/json request',
        'payCheckoutSession 201 application/json',
        'getPayment 200 application/json',
        'capturePayment application/json request',
        'capturePayment 200 application/json',
        'voidPayment 200 application/json',
        'createRefund application/json request',
        'createRefund 201 application/json',
        'getRefund 200 application/json',
      ]),
    );
  });

  it('describes the form body of a checkout session with bracket keys', () => {
    const form = resolve(document.paths['/v1/checkout/sessions'].post!.requestBody!).content['application/x-www-form-urlencoded'];
    expect(form.encoding?.line_items).toEqual({ style: 'deepObject', explode: true });
    expect(form.encoding?.cascade_line_items).toEqual({ style: 'deepObject', explode: true });
  });

  it('cites only files the repository has', () => {
    const cited = new Set(JSON.stringify(document).match(/[\w./-]+\.md\b/g) ?? []);
    expect([...cited].filter((file) => !existsSync(join(__dirname, '..', file)))).toEqual([]);
  });
});

describe.each([
  ['SQLite', false],
  ['Redis', true],
])('answers that fit the OpenAPI document exactly, on %s', (_name, redis) => {
  let t: TestApp;
  let shop: PaymentShop;
  let contract: OpenApiContract;
  /** The errors of a response against what the document says `method path` answers. */
  const misfit = (method: string, path: string, res: { status: number; headers: Record<string, string>; body: unknown; text?: string }) => contract.responseErrors(method, path, res);

  beforeAll(async () => {
    t = await startTestApp({}, { redis });
    shop = await PaymentShop.open(t);
    contract = new OpenApiContract((await t.http().get('/docs-json').expect(200)).body);
  });
  afterAll(() => t.close());

  it('refuses, in this check, a body with a field the schema lacks', async () => {
    const res = await t.http().post('/v1/processors').set(bearer(shop.account.secret)).send({ name: 'Plain', connector: 'simulator' }).expect(201);
    expect(misfit('POST', '/v1/processors', res)).toEqual([]);
    expect(misfit('POST', '/v1/processors', { ...res, body: { ...res.body, internal: 1 } })).toEqual(['(body) must NOT have additional properties (internal)']);
    expect(misfit('POST', '/v1/processors', { ...res, body: { ...res.body, fees: { ...res.body.fees, hidden: true } } })).toEqual(['/fees must NOT have additional properties (hidden)']);
  });

  it('answers processors with exactly the fields of Processor', async () => {
    const body = { name: 'Gateway', connector: 'http', http: { url: 'http://127.0.0.1:9/authorize', secret: 'whsec_0123456789abcdef' }, supported_currencies: ['EUR'] };
    const created = await t.http().post('/v1/processors').set(bearer(shop.account.secret)).send(body).expect(201);
    expect(misfit('POST', '/v1/processors', created)).toEqual([]);
    const patched = await t.http().patch(`/v1/processors/${created.body.id}`).set(bearer(shop.account.secret)).send({ status: 'unavailable' }).expect(200);
    expect(misfit('PATCH', '/v1/processors/{id}', patched)).toEqual([]);
    expect(misfit('GET', '/v1/processors/{id}', await shop.get(`/v1/processors/${created.body.id}`).expect(200))).toEqual([]);
    expect(misfit('GET', '/v1/processors', await shop.get('/v1/processors?limit=2').expect(200))).toEqual([]);
    expect(misfit('GET', '/v1/payment-methods', await shop.get('/v1/payment-methods?currency=EUR').expect(200))).toEqual([]);
  });

  it('answers processor routes with exactly the fields of ProcessorRoute, and its references on GET', async () => {
    const [a, b] = [await shop.processor('A'), await shop.processor('B')];
    const body = {
      name: 'Rules',
      processors: [{ processor_id: a }, { processor_id: b }],
      strategy: 'rule_based',
      rules: [{ conditions: [{ field: 'amount', operator: 'between', value: [100, 5000] }], processors: [{ processor_id: b }] }],
      failover: { on: ['decline'], decline_codes: ['05'], max_attempts: 2 },
    };
    const created = await t.http().post('/v1/processor-routes').set(bearer(shop.account.secret)).send(body).expect(201);
    expect(misfit('POST', '/v1/processor-routes', created)).toEqual([]);
    const patched = await t.http().patch(`/v1/processor-routes/${created.body.id}`).set(bearer(shop.account.secret)).send({ optimized_retry: true }).expect(200);
    expect(misfit('PATCH', '/v1/processor-routes/{id}', patched)).toEqual([]);
    expect(misfit('GET', '/v1/processor-routes/{id}', await shop.get(`/v1/processor-routes/${created.body.id}`).expect(200))).toEqual([]);
    expect(misfit('GET', '/v1/processor-routes', await shop.get('/v1/processor-routes').expect(200))).toEqual([]);
    const deleted = await t.http().delete(`/v1/processor-routes/${created.body.id}`).set(bearer(shop.account.secret)).expect(204);
    expect(misfit('DELETE', '/v1/processor-routes/{id}', deleted)).toEqual([]);
  });

  it('answers checkout sessions with exactly the fields of each view: secret, expanded and publishable', async () => {
    const route = await shop.route([await shop.processor('Approver')]);
    const sessionId = await shop.session([{ amount: 4900 }, { amount: 1900, route }], route, { custom_fields: { order_id: 'o_1' }, params_for_sub: { custom_fields: { tier: 'pro' } } });
    const path = `/v1/checkout/sessions/${sessionId}`;
    expect(misfit('GET', '/v1/checkout/sessions/{id}', await shop.get(path).expect(200))).toEqual([]);
    const expanded = await shop.get(`${path}?expand=custom_fields`).expect(200);
    expect(expanded.body.custom_fields).toEqual({ order_id: 'o_1' });
    expect(contract.errorsOf({ $ref: '#/components/schemas/CheckoutSession' }, expanded.body)).toEqual([]);
    const publishable = await shop.get(path, shop.account.publishable).expect(200);
    expect(contract.errorsOf({ $ref: '#/components/schemas/PublishableCheckoutSession' }, publishable.body)).toEqual([]);
    expect(misfit('GET', '/v1/checkout/sessions', await shop.get('/v1/checkout/sessions?status=open&expand=custom_fields').expect(200))).toEqual([]);
    const expired = await t.http().post(`${path}/expire`).set(bearer(shop.account.secret)).expect(200);
    expect(misfit('POST', '/v1/checkout/sessions/{id}/expire', expired)).toEqual([]);
  });

  it('answers a checkout session created from a form, or through the account alias, as CheckoutSession', async () => {
    const product = await shop.create('/v1/products', { name: 'Form plan' });
    const price = await shop.create('/v1/prices', { product_id: product, unit_amount: 900, currency: 'USD' });
    const form = await t
      .http()
      .post('/v1/checkout/sessions')
      .set(bearer(shop.account.secret))
      .type('form')
      .send(`line_items[0][price_id]=${price}&line_items[0][quantity]=2&success_url=https%3A%2F%2Fshop.example%2Fok`)
      .expect(201);
    expect(misfit('POST', '/v1/checkout/sessions', form)).toEqual([]);
    const alias = await t
      .http()
      .post(`/api/${shop.account.id}/checkout-sessions`)
      .set(bearer(shop.account.secret))
      .send({ line_items: [{ price_id: price, quantity: 1 }], success_url: 'https://shop.example/ok' })
      .expect(201);
    expect(misfit('POST', '/api/{account_id}/checkout-sessions', alias)).toEqual([]);
  });

  it('answers payments with exactly the fields of Payment, attempts and skips included, and the events as PaymentEventList', async () => {
    const euros = await shop.processor('Euros only', { supported_currencies: ['EUR'] });
    const decliner = await shop.processor('Decliner', { simulator: { outcome: 'decline', decline_code: '51' } });
    const approver = await shop.processor('Approver');
    const sessionId = await shop.session([{ amount: 4900 }], await shop.route([euros, decliner, approver]));
    const paid = await shop.pay(sessionId, { payment_method: card() }, shop.account.publishable).expect(201);
    expect(paid.body.attempts.map((attempt: { kind: string; outcome: string | null }) => `${attempt.kind}:${attempt.outcome}`)).toEqual(['skipped:null', 'attempted:declined', 'attempted:approved']);
    expect(misfit('POST', '/v1/checkout/sessions/{id}/pay', paid)).toEqual([]);
    expect(misfit('GET', '/v1/payments/{id}', await shop.get(`/v1/payments/${paid.body.id}`).expect(200))).toEqual([]);
    expect(misfit('GET', '/v1/payments', await shop.get(`/v1/payments?checkout_session_id=${sessionId}`).expect(200))).toEqual([]);
    expect(misfit('GET', '/v1/payments/{id}/events', await shop.get(`/v1/payments/${paid.body.id}/events`).expect(200))).toEqual([]);

    const failing = await shop.session([{ amount: 4900 }], await shop.route([decliner]));
    const failed = await shop.pay(failing).expect(201);
    expect(failed.body).toMatchObject({ status: 'failed', failure_reason: 'all_tiers_failed' });
    expect(misfit('POST', '/v1/checkout/sessions/{id}/pay', failed)).toEqual([]);
  });

  it('answers accounts, catalog items and the operations endpoints as the document says', async () => {
    const admin = bearer(ADMIN_TOKEN);
    const opened = await t.http().post('/v1/accounts').set(admin).send({ name: 'Second shop' }).expect(201);
    expect(misfit('POST', '/v1/accounts', opened)).toEqual([]);
    expect(misfit('GET', '/v1/accounts', await t.http().get('/v1/accounts?limit=1').set(admin).expect(200))).toEqual([]);
    expect(misfit('GET', '/v1/accounts/{id}', await shop.get(`/v1/accounts/${shop.account.id}`).expect(200))).toEqual([]);
    const route = await shop.route([await shop.processor('Default')]);
    const patched = await t.http().patch(`/v1/accounts/${shop.account.id}`).set(bearer(shop.account.secret)).send({ default_processor_route_id: route }).expect(200);
    expect(misfit('PATCH', '/v1/accounts/{id}', patched)).toEqual([]);

    const product = await t.http().post('/v1/products').set(bearer(shop.account.secret)).send({ name: 'Book' }).expect(201);
    const coupon = await t.http().post('/v1/coupons').set(bearer(shop.account.secret)).send({ amount_off: 500, currency: 'USD' }).expect(201);
    const created = {
      '/v1/products': product,
      '/v1/prices': await t.http().post('/v1/prices').set(bearer(shop.account.secret)).send({ product_id: product.body.id, unit_amount: 1200, currency: 'USD' }).expect(201),
      '/v1/customers': await t.http().post('/v1/customers').set(bearer(shop.account.secret)).send({ email: 'ada@example.com' }).expect(201),
      '/v1/coupons': coupon,
      '/v1/promotion-codes': await t.http().post('/v1/promotion-codes').set(bearer(shop.account.secret)).send({ code: 'SAVE5', coupon_id: coupon.body.id }).expect(201),
    };
    for (const [path, res] of Object.entries(created)) {
      expect([path, misfit('POST', path, res)]).toEqual([path, []]);
      expect([path, misfit('GET', path, await shop.get(path).expect(200))]).toEqual([path, []]);
      expect([path, misfit('GET', `${path}/{id}`, await shop.get(`${path}/${res.body.id}`).expect(200))]).toEqual([path, []]);
    }

    expect(misfit('GET', '/health', await t.http().get('/health').expect(200))).toEqual([]);
    expect(misfit('GET', '/health/ready', await t.http().get('/health/ready').expect(200))).toEqual([]);
    expect(misfit('GET', '/metrics', await t.http().get('/metrics').expect(200))).toEqual([]);
  });

  it('answers errors with statuses the operation documents, as exactly ProblemDetails', async () => {
    const secret = bearer(shop.account.secret);
    const answers: Array<[string, string, Promise<{ status: number; headers: Record<string, string>; body: unknown }>]> = [
      ['GET', '/v1/processors', t.http().get('/v1/processors')],
      ['GET', '/v1/processors', t.http().get('/v1/processors').set(bearer(shop.account.publishable))],
      ['GET', '/v1/processors', t.http().get('/v1/processors?limit=0').set(secret)],
      ['GET', '/v1/processors/{id}', t.http().get('/v1/processors/proc_stg_missing').set(secret)],
      ['POST', '/v1/processors', t.http().post('/v1/processors').set(secret).send({ name: 'Too fast', connector: 'simulator', timeout_ms: 10 })],
      ['POST', '/v1/processors', t.http().post('/v1/processors').set(secret).send({ name: 'x', connector: 'simulator', extra: true })],
      ['POST', '/v1/processors', t.http().post('/v1/processors').set(secret).set('Idempotency-Key', 'x'.repeat(300)).send({ name: 'x', connector: 'simulator' })],
      ['GET', '/v1/checkout/sessions/{id}', t.http().get('/v1/checkout/sessions/cs_stg_missing?expand=custom_fields').set(bearer(shop.account.publishable))],
      ['POST', '/v1/checkout/sessions/{id}/pay', shop.pay('cs_stg_missing')],
      ['POST', '/v1/accounts', t.http().post('/v1/accounts').set(secret).send({ name: 'Not admin' })],
      ['POST', '/v1/processors', t.http().post('/v1/processors').set(secret).set('Content-Type', 'text/plain').send('{"name":"x","connector":"simulator"}')],
      ['POST', '/v1/checkout/sessions/{id}/expire', t.http().post('/v1/checkout/sessions/cs_stg_missing/expire').set(secret).set('Content-Type', 'text/plain').send('now')],
      ['POST', '/v1/products', t.http().post('/v1/products').set(secret).send({ name: 'x'.repeat(1_100_000) })],
    ];
    const statuses: number[] = [];
    for (const [method, path, answer] of answers) {
      const res = await answer;
      statuses.push(res.status);
      expect([method, path, res.status, misfit(method, path, res)]).toEqual([method, path, res.status, []]);
    }
    expect(statuses).toEqual([401, 403, 400, 404, 422, 400, 400, 403, 404, 403, 415, 415, 413]);
  });
});
