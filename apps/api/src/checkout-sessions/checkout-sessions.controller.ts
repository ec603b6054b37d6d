import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Clock } from '@payments/domain';
import {
  CLOCK,
  CheckoutSessionLinks,
  CheckoutSessionsReader,
  CommandMetadata,
  CreateCheckoutSession,
  CreatedCheckoutSession,
  ExpireCheckoutSession,
  ProjectionsService,
  SessionChange,
} from '@payments/orchestration';
import { checkoutSessions } from '@payments/read-models/projections/checkout-sessions';
import { routeReferences } from '@payments/read-models/projections/route-references';
import { RequestMetadata } from '../http/command-metadata';
import { toPage } from '../http/pagination';
import { Auth, CurrentPrincipal, Principal, accountOf, assertOwnedBy } from '../http/principal';
import { ProblemException } from '../http/problem-details';
import { CreateCheckoutSessionDto, ExpandQuery, ListCheckoutSessionsQuery } from './checkout-session.dto';
import { presentCheckoutSession, presentCheckoutSessionToPublishable } from './checkout-session.presenter';
import { FormEncodedCheckoutSession } from './form-encoded-session';

@ApiTags('Checkout sessions')
@ApiBearerAuth()
@Controller()
export class CheckoutSessionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly reader: CheckoutSessionsReader,
    private readonly links: CheckoutSessionLinks,
    private readonly projections: ProjectionsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('v1/checkout/sessions')
  @HttpCode(201)
  @UseInterceptors(FormEncodedCheckoutSession)
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiOperation({
    summary: 'Create a checkout session with its cascade tiers',
    description:
      'Form bodies use bracket keys (`line_items[0][price_id]=price_x&line_items[0][quantity]=1`); there digit strings are integers and an empty value is null. ' +
      'The session references each route its tiers name until it is complete or expired.',
  })
  create(@Body() body: CreateCheckoutSessionDto, @Query() query: ExpandQuery, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    return this.createFor(accountOf(principal), body, query, metadata);
  }

  @Post('api/:account_id/checkout-sessions')
  @HttpCode(201)
  @UseInterceptors(FormEncodedCheckoutSession)
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiOperation({ summary: "Alias of POST /v1/checkout/sessions; account_id must be the token's account (else 404)" })
  createForAccount(
    @Param('account_id') accountId: string,
    @Body() body: CreateCheckoutSessionDto,
    @Query() query: ExpandQuery,
    @CurrentPrincipal() principal: Principal,
    @RequestMetadata() metadata: CommandMetadata,
  ) {
    assertOwnedBy(principal, accountId, `no account ${accountId}`);
    return this.createFor(accountId, body, query, metadata);
  }

  @Get('v1/checkout/sessions')
  @ApiOperation({ summary: 'Checkout sessions, newest first; `status` filters by the status a GET would show' })
  async list(@Query() query: ListCheckoutSessionsQuery, @CurrentPrincipal() principal: Principal) {
    const { items, total, now } = await this.reader.list(accountOf(principal), query);
    return toPage(
      items.map((session) => presentCheckoutSession(session, now, this.links, query.expand)),
      total,
      query,
    );
  }

  @Get('v1/checkout/sessions/:id')
  @Auth('secret', 'publishable')
  @ApiOperation({
    summary: 'One checkout session',
    description:
      'A publishable token gets the view a payment page needs: id, object, status, payment_status, tiers without route ids, success_url, return_url, expires_at, created_at; it cannot expand.',
  })
  async get(@Param('id') id: string, @Query() query: ExpandQuery, @CurrentPrincipal() principal: Principal) {
    // Refused before the look-up, so the answer says nothing about whether the session exists.
    if (principal.kind === 'publishable' && query.expand?.length) {
      throw new ProblemException('forbidden', 'Publishable tokens cannot expand a checkout session; use a secret token.');
    }
    const session = await this.reader.session(accountOf(principal), id);
    const now = this.clock.now();
    return principal.kind === 'publishable' ? presentCheckoutSessionToPublishable(session, now) : presentCheckoutSession(session, now, this.links, query.expand);
  }

  @Post('v1/checkout/sessions/:id/expire')
  @HttpCode(200)
  @ApiOperation({ summary: 'Expire an open session now (409 when it is not open); releases its routes' })
  async expire(@Param('id') id: string, @Query() query: ExpandQuery, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    const { session, position } = await this.commands.execute<ExpireCheckoutSession, SessionChange>(new ExpireCheckoutSession(accountOf(principal), id, metadata));
    if (position !== undefined) await this.projections.waitFor(position, undefined, [checkoutSessions, routeReferences]);
    return presentCheckoutSession(session, this.clock.now(), this.links, query.expand);
  }

  private async createFor(accountId: string, body: CreateCheckoutSessionDto, query: ExpandQuery, metadata: CommandMetadata) {
    const { session, position } = await this.commands.execute<CreateCheckoutSession, CreatedCheckoutSession>(new CreateCheckoutSession(accountId, body, metadata));
    await this.projections.waitFor(position, undefined, [checkoutSessions, routeReferences]);
    return presentCheckoutSession(session, this.clock.now(), this.links, query.expand);
  }
}
