import { ServerResponse } from 'node:http';
import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AccountEvents, MAX_EVENTS_EXAMINED, SETTINGS, Settings } from '@payments/orchestration';
import { ApiProblems } from '../http/api-problems';
import { Auth, CurrentPrincipal, Principal, accountOf } from '../http/principal';
import { ProblemException } from '../http/problem-details';
import { presentEvent } from './event.presenter';
import { EVENT_LIST_EXAMPLE, EVENT_STREAM_EXAMPLE } from './event.examples';
import { EventList } from './event.schema';
import { EventStreams } from './event-streams';
import { EventStreamQuery, ListEventsQuery, POSITION } from './events.dto';

const SCOPE =
  "The account's events, of every stream, in the global log's order: exactly those whose `metadata.account_id` is the token's account. " +
  'Data is as docs/events.md documents it per type, with secrets (a processor signing secret, a token hash) shown as `[redacted]`. ' +
  'At least once: dedupe on `id`.';

@ApiTags('Events')
@ApiBearerAuth()
@Controller()
export class EventsController {
  constructor(
    private readonly events: AccountEvents,
    private readonly streams: EventStreams,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  @Get('v1/events')
  @Auth('secret')
  @ApiOperation({
    operationId: 'listEvents',
    summary: "A page of the account's events after a position of the global log, for consumers that poll",
    description:
      `${SCOPE} Poll with \`after\` = the last \`next_after\`: an empty page still answers \`next_after\`. ` +
      `One page examines at most ${MAX_EVENTS_EXAMINED} events of the log (which every account shares), so a page may hold fewer than \`limit\` events, or none, ` +
      'and still have `has_more: true`: read on at once while `has_more`, and wait between polls once it is false.',
  })
  @ApiOkResponse({ type: EventList, description: 'The page, and where the next one starts', example: EVENT_LIST_EXAMPLE })
  async list(@Query() query: ListEventsQuery, @CurrentPrincipal() principal: Principal) {
    const page = await this.events.page({ accountId: accountOf(principal), types: query.type }, { after: BigInt(query.after ?? 0), limit: query.limit });
    return { items: page.events.map((event) => presentEvent(event, this.settings.env)), next_after: Number(page.nextAfter), has_more: page.hasMore };
  }

  @Get('v1/events/stream')
  @Auth('secret')
  @ApiProduces('text/event-stream')
  @ApiOperation({
    operationId: 'getEventStream',
    summary: "The account's events as server-sent events: the past after the resume position, then each new event as it is stored",
    description:
      `${SCOPE} Each event is a block \`id: <position>\`, \`event: <type>\`, \`data: <the event as GET /v1/events shows it, one JSON line>\`. ` +
      'Resumes strictly after `Last-Event-ID` (sent by EventSource when it reconnects), else after `after`, else from the start. ' +
      'A comment line `: heartbeat` comes every EVENT_STREAM_HEARTBEAT_MS (15 s by default). The stream never ends by itself; ' +
      'it ends when the service shuts down, or when the client has read nothing for four heartbeats: reconnect with Last-Event-ID.',
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The `id` of the last event received: the stream resumes strictly after it, and `after` is ignored. Up to 18 digits.',
    schema: { type: 'string', pattern: POSITION.source, example: '118' },
  })
  @ApiOkResponse({
    description: 'A text/event-stream that stays open',
    content: { 'text/event-stream': { schema: { type: 'string', description: 'Server-sent events (WHATWG HTML, "Server-sent events")' }, example: EVENT_STREAM_EXAMPLE } },
  })
  @ApiProblems({ 400: 'Last-Event-ID is not a position.', 503: 'The service is shutting down; reconnect, with Last-Event-ID.' })
  stream(@Query() query: EventStreamQuery, @Headers('last-event-id') lastEventId: string | undefined, @CurrentPrincipal() principal: Principal, @Res() response: ServerResponse): void {
    // EventSource never sends an empty Last-Event-ID; another client's empty one means none.
    const resumeAfter = lastEventId === '' ? undefined : lastEventId;
    if (resumeAfter !== undefined && !POSITION.test(resumeAfter)) {
      throw new ProblemException('bad_request', 'Last-Event-ID must be the id of an event of this stream: decimal digits.', {
        errors: [{ field: 'Last-Event-ID', message: 'must be a position: up to 18 decimal digits' }],
      });
    }
    this.streams.open(response, { accountId: accountOf(principal), types: query.type }, BigInt(resumeAfter ?? query.after ?? 0));
  }
}
