import { Module } from '@nestjs/common';
import { AnalyticsReader } from './analytics.reader';

/** Processor and route analytics, read from the analytics projection; import it for AnalyticsReader. */
@Module({
  providers: [AnalyticsReader],
  exports: [AnalyticsReader],
})
export class AnalyticsModule {}
