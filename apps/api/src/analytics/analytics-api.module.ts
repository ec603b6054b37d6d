import { Module } from '@nestjs/common';
import { AnalyticsModule } from '@payments/orchestration';
import { AnalyticsController } from './analytics.controller';

/** Processor and route analytics over HTTP. */
@Module({
  imports: [AnalyticsModule],
  controllers: [AnalyticsController],
})
export class AnalyticsApiModule {}
