import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Clock } from '@payments/domain';
import { CLOCK, Settings } from '@payments/orchestration';
import { AppModule } from '../../apps/api/src/app.module';
import { APP_OPTIONS, initApp } from '../../apps/api/src/app';

/** A clock that tests move by hand; it starts at the real time. */
export class TestClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** createApp (apps/api/src/app.ts) with the service's CLOCK replaced. */
export async function createAppWithClock(settings: Settings, clock: Clock): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forSettings(settings)] })
    .overrideProvider(CLOCK)
    .useValue(clock)
    .compile();
  return initApp(moduleRef.createNestApplication<NestExpressApplication>(APP_OPTIONS), settings);
}
