import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Settings } from '@payments/orchestration';
import { AppModule } from './app.module';
import { configureHttp } from './http/configure-http';
import { configureOps } from './ops/configure-ops';

/** Options of the Nest application, shared with the end-to-end tests' testing module. */
export const APP_OPTIONS = { bufferLogs: true, bodyParser: false } as const;

/**
 * Builds the configured application without listening, so that main.ts and the end-to-end
 * tests run exactly the same service.
 */
export async function createApp(settings: Settings): Promise<INestApplication> {
  return initApp(await NestFactory.create<NestExpressApplication>(AppModule.forSettings(settings), APP_OPTIONS), settings);
}

/** The app-level set-up every created application gets, then init (no listening). */
export async function initApp(app: INestApplication, settings: Settings): Promise<INestApplication> {
  configureOps(app, settings);
  configureHttp(app, settings);
  app.enableShutdownHooks();
  await app.init();
  return app;
}
