import { Module } from '@nestjs/common';
import { EventsModule } from '@payments/orchestration';
import { EventStreams } from './event-streams';
import { EventsController } from './events.controller';

/** The event stream for analytics consumers: GET /v1/events (pages) and GET /v1/events/stream (SSE); the dashboard's live updates use its EventStreams too. */
@Module({
  imports: [EventsModule],
  controllers: [EventsController],
  providers: [EventStreams],
  exports: [EventStreams],
})
export class EventsApiModule {}
