import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { Clock } from '@payments/domain';
import {
  ConnectorRegistry,
  HttpConnector,
  PostgresSimulatorLedger,
  RedisSimulatorLedger,
  SimulatorConnector,
  SimulatorLedger,
  SqliteSimulatorLedger,
  simulatorLedgerPath,
} from '@payments/processors';
import { SEALED_SECRETS, SealedSecrets } from '../secrets/sealed-secrets';
import { Settings } from '../settings';
import { CLOCK, POSTGRES, REDIS, SETTINGS } from '../tokens';

/**
 * The simulated processors' idempotency ledger, shared by every process of the deployment: on its
 * PostgreSQL with POSTGRES_URL, else on its Redis with REDIS_URL (processes on several machines
 * either way), else `<DATA_DIR>/simulator.db` (every process on that directory).
 */
export const SIMULATOR_LEDGER = Symbol('SimulatorLedger');
/** The ProcessorConnector the cascade calls: a ConnectorRegistry over the simulator and http connectors. */
export const PROCESSOR_CONNECTOR = Symbol('ProcessorConnector');

@Module({
  providers: [
    {
      provide: SIMULATOR_LEDGER,
      inject: [SETTINGS, CLOCK, POSTGRES, REDIS],
      useFactory: (settings: Settings, clock: Clock, postgres: Pool | null, redis: Redis | null): SimulatorLedger | Promise<SimulatorLedger> => {
        if (postgres) return PostgresSimulatorLedger.open(postgres, clock);
        if (redis) return new RedisSimulatorLedger(redis, clock);
        return SqliteSimulatorLedger.open(simulatorLedgerPath(settings.dataDir), clock);
      },
    },
    {
      provide: PROCESSOR_CONNECTOR,
      inject: [SIMULATOR_LEDGER, SEALED_SECRETS, CLOCK],
      useFactory: (ledger: SimulatorLedger, secrets: SealedSecrets, clock: Clock) =>
        new ConnectorRegistry({ simulator: new SimulatorConnector(ledger), http: new HttpConnector(secrets, clock) }),
    },
  ],
  exports: [SIMULATOR_LEDGER, PROCESSOR_CONNECTOR],
})
export class ProcessorConnectorsModule implements OnApplicationShutdown {
  constructor(@Inject(SIMULATOR_LEDGER) private readonly ledger: SimulatorLedger) {}

  /** After the saga's beforeApplicationShutdown, so no call is still recording its answer. */
  async onApplicationShutdown(): Promise<void> {
    await this.ledger.close();
  }
}
