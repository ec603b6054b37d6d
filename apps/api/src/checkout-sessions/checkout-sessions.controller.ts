import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
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
import { ApiProblems } from '../http/api-problems';
import { toPage } from '../http/pagination';
import { Auth, CurrentPrincipal, Principal, accountOf, assertOwnedBy } from '../http/principal';
import { ProblemException } from '../http/problem-details';
import { CreateCheckoutSessionDto, ExpandQuery, ListCheckoutSessionsQuery } from './checkout-session.dto';
import { presentCheckoutSession, presentCheckoutSessionToPublishable } from './checkout-session.presenter';
import { CREATE_SESSION_EXAMPLE, CheckoutSession, CheckoutSessionPage, PublishableCheckoutSession, SESSION_EXAMPLE } from './checkout-session.schema';
import { FormEncodedCheckoutSession } from './form-encoded-session';

const SESSION_RULES =
  'A rule is broken, with a field error each, for example: 1 to 100 line items a tier with quantities 1 to 10000, prices of one tier in one currency, ' +
  "at most 9 cascade tiers, an unknown or another account's price, customer, route, coupon or promotion code, promotion_code together with coupon_id, " +
  'success_url or return_url not an absolute http(s) URL, expires_in_hours outside 1..720, custom field limits.';

const CREATE_SESSION_BODY = {
  type: CreateCheckoutSessionDto,
  description:
    'JSON, or a form with bracket keys: `line_items[0][price_id]=price_x&line_items[0][quantity]=1&success_url=...`. ' +
    'In a form, digit strings are integers where the contract has integers, and an empty value is null.',
  examples: { cascade: { summary: 'One route, one cheaper cascade tier', value: CREATE_SESSION_EXAMPLE } },
};

const NO_SESSION = 'No checkout session with this id in the account.';

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
    operationId: 'createCheckoutSession',
    summary: 'Create a checkout session with its cascade tiers',
    description:
      'Form bodies use bracket keys (`line_items[0][price_id]=price_x&line_items[0][quantity]=1`); there digit strings are integers and an empty value is null. ' +
      'The session references each route its tiers name until it is complete or expired.',
  })
  @ApiBody(CREATE_SESSION_BODY)
  @ApiCreatedResponse({ type: CheckoutSession, description: 'The open session; `url` is its hosted checkout page', example: SESSION_EXAMPLE })
  @ApiProblems({ 422: SESSION_RULES })
  create(@Body() body: CreateCheckoutSessionDto, @Query() query: ExpandQuery, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    return this.createFor(accountOf(principal), body, query, metadata);
  }

  @Post('api/:account_id/checkout-sessions')
  @HttpCode(201)
  @UseInterceptors(FormEncodedCheckoutSession)
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiOperation({ operationId: 'createAccountCheckoutSession', summary: "Alias of POST /v1/checkout/sessions; account_id must be the token's account (else 404)" })
  @ApiBody(CREATE_SESSION_BODY)
  @ApiCreatedResponse({ type: CheckoutSession, description: 'The open session; `url` is its hosted checkout page' })
  @ApiProblems({ 404: "account_id is not the token's account.", 422: SESSION_RULES })
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
  @ApiOperation({ operationId: 'listCheckoutSessions', summary: 'Checkout sessions, newest first; `status` filters by the status a GET would show' })
  @ApiOkResponse({ type: CheckoutSessionPage })
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
    operationId: 'getCheckoutSession',
    summary: 'One checkout session',
    description:
      'A publishable token gets the view a payment page needs: id, object, status, payment_status, tiers without route ids, success_url, return_url, expires_at, created_at; it cannot expand.',
  })
  @ApiExtraModels(CheckoutSession, PublishableCheckoutSession)
  @ApiOkResponse({
    description: 'CheckoutSession for a secret token, PublishableCheckoutSession for a publishable one',
    schema: { anyOf: [{ $ref: getSchemaPath(CheckoutSession) }, { $ref: getSchemaPath(PublishableCheckoutSession) }] },
  })
  @ApiProblems({ 403: 'A publishable token asked for expand.', 404: NO_SESSION })
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
  @ApiOperation({ operationId: 'expireCheckoutSession', summary: 'Expire an open session now (409 when it is not open); releases its routes' })
  @ApiOkResponse({ type: CheckoutSession, description: 'The session, now expired' })
  @ApiProblems({ 404: NO_SESSION, 409: 'The session is not open (complete or already expired), or a payment is running on it.' })
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
