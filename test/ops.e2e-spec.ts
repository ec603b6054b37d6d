import { TestApp, startTestApp } from './support/test-app';

/** The service logs JSON lines to stdout; this keeps them for assertions instead of printing them. */
function captureStdout() {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(chunk.toString());
    return true;
  });
  return {
    lines: (): Array<Record<string, unknown>> =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => chunks.join(''),
    restore: () => spy.mockRestore(),
  };
}

describe('operations endpoints', () => {
  let stdout: ReturnType<typeof captureStdout>;
  let service: TestApp;
  let http: TestApp['http'];

  beforeAll(async () => {
    stdout = captureStdout();
    service = await startTestApp({ LOG_LEVEL: 'info' });
    http = service.http;
  });

  afterAll(async () => {
    await service?.close();
    stdout.restore();
  });

  it('answers the liveness probe without a token', async () => {
    const res = await http().get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('is ready with the embedded event store and no Redis configured', async () => {
    const res = await http().get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ready', checks: { event_store: 'up', read_models: 'up', redis: 'not_configured' } });
  });

  it('exposes Prometheus metrics with the duration of earlier requests by route template', async () => {
    await http().get('/health').expect(200);
    await http().get('/no/such/page').expect(404);

    const res = await http().get('/metrics').expect(200);

    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(res.text).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\} [1-9]/m);
    expect(res.text).toMatch(/^http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/health",status_code="200"\}/m);
    expect(res.text).toMatch(/^http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} 1$/m);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    for (const metric of ['payments_total', 'processor_outcomes_total', 'projection_lag_events']) {
      expect(res.text).toContain(`# TYPE ${metric} `);
    }
  });

  it('publishes an OpenAPI 3 document with bearer authentication and the conventions', async () => {
    const res = await http().get('/docs-json').expect(200);

    expect(res.headers['x-request-id']).toMatch(/^req_/);

    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(res.body.security).toEqual([{ bearer: [] }]);
    expect(res.body.info.description).toContain('Idempotency-Key');
    expect(res.body.paths['/health/ready'].get.security).toEqual([]);
  });

  it('serves Swagger UI without a token', async () => {
    const res = await http().get('/docs').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('swagger-ui');
  });

  it('logs one line per request with its id, method, path, status and duration, but never the body, card number or credentials', async () => {
    const card = '4242424242424242';
    const secret = 'a1b2c3d4e5f6g7h8i9j0';
    const res = await http()
      .post(`/v1/checkout/sessions/cs_stg_logtest/pay?number=${card}`)
      .set('Authorization', `Bearer st_stg_${secret}`)
      .set('Cookie', 'session=s3cr3t')
      .set('X-Request-Id', 'req_opslogtest')
      .send({ payment_method: { type: 'card', card: { number: card, exp_month: 12, exp_year: 2030, cvc: '987' } } });

    const requestLines = stdout.lines().filter((line) => line.request_id === res.headers['x-request-id'] && line.res !== undefined);
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: res.status >= 500 ? 'error' : 'info',
      req: { method: 'POST', url: '/v1/checkout/sessions/cs_stg_logtest/pay?number=****4242', headers: { authorization: '[Redacted]', cookie: '[Redacted]' } },
      res: { statusCode: res.status },
      duration_ms: expect.any(Number),
    });
    const logs = stdout.text();
    for (const leaked of [card, secret, 's3cr3t', 'payment_method', 'exp_year']) expect(logs).not.toContain(leaked);
  });
});

describe('readiness with Redis', () => {
  // Only to keep the services' start-up logs out of the test output.
  let stdout: ReturnType<typeof captureStdout>;
  beforeAll(() => {
    stdout = captureStdout();
  });
  afterAll(() => stdout.restore());

  it('is ready when Redis answers', async () => {
    const service = await startTestApp({}, { redis: true });
    try {
      const res = await service.http().get('/health/ready').expect(200);
      expect(res.body.checks).toEqual({ event_store: 'up', read_models: 'up', redis: 'up' });
    } finally {
      await service.close();
    }
  });

  it('starts but answers 503 problem details naming Redis when Redis is unreachable', async () => {
    const service = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await service.http().get('/health/ready').expect(503);

      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        status: 503,
        title: 'Service Unavailable',
        detail: 'Not ready: read_models and redis are down.',
        instance: '/health/ready',
        request_id: res.headers['x-request-id'],
        checks: { event_store: 'up', read_models: 'down', redis: 'down' },
      });
      await service.http().get('/health').expect(200);
    } finally {
      await service.close();
    }
  });
});
