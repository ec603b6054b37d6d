import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Settings } from '@payments/orchestration';
import { AppModule } from './app.module';
import { configureHttp } from './http/configure-http';
import { configureOps } from './ops/configure-ops';

/**
 * Builds the configured application without listening, so that main.ts and the end-to-end
 * tests run exactly the same service.
 */
export async function createApp(settings: Settings): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forSettings(settings), {
    bufferLogs: true,
    bodyParser: false,
  });
  configureOps(app, settings);
  configureHttp(app, settings);
  app.enableShutdownHooks();
  await app.init();
  return app;
}
