/**
 * The service for a bench: the real service in a child process (as the crash tests start it),
 * on a temporary DATA_DIR, so the bench's load generator and the service do not share an event
 * loop; and a merchant account on it, over HTTP.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess, startServiceProcess } from '../test/support/service-process';
import { ADMIN_TOKEN, bearer } from '../test/support/test-app';

export interface BenchService {
  readonly url: string;
  readonly dataDir: string;
  readonly process: ServiceProcess;
  /** SIGKILL (what was acknowledged must be on disk regardless), then the temporary DATA_DIR goes. */
  stop(): Promise<void>;
  /** SIGKILL, keeping DATA_DIR for a look at the stored events; `stop` removes it later. */
  kill(): Promise<void>;
}

/** `env`: settings of the deployment besides the bench's own (POSTGRES_URL and its keys, say). */
export async function startBenchService(options: { redisUrl?: string; env?: Record<string, string> } = {}): Promise<BenchService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'payments-bench-'));
  const redisEnv: Record<string, string> = options.redisUrl ? { REDIS_URL: options.redisUrl, REDIS_KEY_PREFIX: `bench:${randomBytes(6).toString('hex')}:` } : {};
  try {
    const service = await startServiceProcess({
      DATA_DIR: dataDir,
      PAYMENTS_SANDBOX: 'false',
      ADMIN_TOKEN,
      // A log line per request would be the service's largest cost; warnings still reach the log.
      LOG_LEVEL: 'warn',
      // The limiter would answer 429 long before the payment path is the bottleneck.
      RATE_LIMIT_PER_SECOND: '1000000',
      ...redisEnv,
      ...options.env,
      ...passedThrough(),
    });
    return {
      url: service.url,
      dataDir,
      process: service,
      kill: async () => void (await service.kill()),
      async stop() {
        await service.kill();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * `BENCH_SERVICE_<NAME>=value` in the bench's environment is `<NAME>=value` in the service's, to
 * look inside the service under load: `BENCH_SERVICE_NODE_OPTIONS=--cpu-prof` profiles it.
 */
function passedThrough(): Record<string, string> {
  const prefix = 'BENCH_SERVICE_';
  return Object.fromEntries(
    Object.entries(process.env)
      .filter((entry): entry is [string, string] => entry[0].startsWith(prefix) && entry[1] !== undefined)
      .map(([name, value]) => [name.slice(prefix.length), value]),
  );
}

/** A merchant on the bench's service: set-up calls over HTTP with its secret token. */
export class BenchShop {
  private constructor(
    private readonly service: BenchService,
    readonly secret: string,
  ) {}

  static async open(service: BenchService, name = 'Bench Shop'): Promise<BenchShop> {
    const res = await service.process.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name }).expect(201);
    return new BenchShop(service, res.body.secret_token);
  }

  /** POSTs with the secret token and answers the created resource's id. */
  async create(path: string, body: object): Promise<string> {
    return (await this.service.process.http().post(path).set(bearer(this.secret)).send(body).expect(201)).body.id;
  }

  get(path: string) {
    return this.service.process.http().get(path).set(bearer(this.secret));
  }

  /** The types of the payment's stored events, in order. */
  async eventTypes(paymentId: string): Promise<string[]> {
    const res = await this.get(`/v1/payments/${paymentId}/events`).expect(200);
    return res.body.items.map((event: { type: string }) => event.type);
  }
}
