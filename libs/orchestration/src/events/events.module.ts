import { Module } from '@nestjs/common';
import { AccountEvents } from './account-events';

/** Reads of the global log for one account: the event stream API and SSE. */
@Module({
  providers: [AccountEvents],
  exports: [AccountEvents],
})
export class EventsModule {}
