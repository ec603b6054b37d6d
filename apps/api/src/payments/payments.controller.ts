import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AttemptPayment, CommandMetadata, PayCheckoutSession, PaymentCards, PaymentsReader, PublicPayer, SETTINGS, Settings } from '@payments/orchestration';
import { RequestMetadata } from '../http/command-metadata';
import { ApiProblems } from '../http/api-problems';
import { toPage } from '../http/pagination';
import { Auth, CurrentPrincipal, Principal, accountOf } from '../http/principal';
import { PublicPayerOfRequest } from '../http/rate-limit/public-payer';
import { ListPaymentsQuery, PayDto } from './payment.dto';
import { presentEvent } from '../events/event.presenter';
import { presentPayment } from './payment.presenter';
import { AUTH_RATE_PAYMENT_EXAMPLE, PAYMENT_EXAMPLE, PAY_EXAMPLE, Payment, PaymentEventList, PaymentPage } from './payment.schema';

const NO_PAYMENT = 'No payment with this id in the account.';

@ApiTags('Payments')
@ApiBearerAuth()
@Controller()
export class PaymentsController {
  constructor(
    private readonly payCheckoutSession: PayCheckoutSession,
    private readonly cards: PaymentCards,
    private readonly reader: PaymentsReader,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  @Post('v1/checkout/sessions/:id/pay')
  @HttpCode(201)
  @Auth('secret', 'publishable')
  @ApiOperation({
    operationId: 'payCheckoutSession',
    summary: 'Pay a checkout session with a card, running the cascade over its tiers',
    description:
      'Answers 201 once the payment has succeeded or failed, or after PAY_WAIT_MS with status `processing` while the cascade goes on (read it with GET /v1/payments/{id}). ' +
      'A failed payment leaves the session open for another try. 409: the session is paid or a payment is running on it (of two concurrent pays, one runs); 410: it has expired. ' +
      '422: the card fails its Luhn check, has expired or its network cannot be told; routing.attempts are not 1 to 10 distinct known processors or networks.',
  })
  @ApiBody({ type: PayDto, examples: { card: { summary: 'A test card', value: PAY_EXAMPLE } } })
  @ApiCreatedResponse({ type: Payment, description: 'The payment, finished or still processing', example: PAYMENT_EXAMPLE })
  @ApiProblems({
    404: 'No checkout session with this id in the account.',
    409: 'The session is paid, or a payment is running on it (of two concurrent pays, one runs).',
    410: 'The session has expired.',
    429:
      'Too many failed payments (`too-many-failed-payments`): the session has had SESSION_MAX_FAILED_PAYMENTS (default 10) and takes no more, for good (no Retry-After); ' +
      'or, with a publishable token, the card or the client address has had its limit of failed payments this hour (Retry-After says when the hour ends). Nothing is sent to a processor.',
    422: 'The card fails its Luhn check, has expired or its network cannot be told; routing.attempts are not 1 to 10 distinct known processors or networks.',
  })
  async pay(
    @Param('id') sessionId: string,
    @Body() body: PayDto,
    @CurrentPrincipal() principal: Principal,
    @RequestMetadata() metadata: CommandMetadata,
    @PublicPayerOfRequest() publicPayer: PublicPayer | undefined,
  ) {
    // The card number and cvc stop here: what goes on is the card's summary.
    const card = this.cards.summarise(body.payment_method.card);
    return presentPayment(await this.payCheckoutSession.pay(new AttemptPayment(accountOf(principal), sessionId, card, body.routing?.attempts, metadata, publicPayer)));
  }

  @Get('v1/payments')
  @ApiOperation({ operationId: 'listPayments', summary: 'Payments, newest first; filters checkout_session_id and status' })
  @ApiOkResponse({ type: PaymentPage })
  async list(@Query() query: ListPaymentsQuery, @CurrentPrincipal() principal: Principal) {
    const { items, total } = await this.reader.list(accountOf(principal), { checkoutSessionId: query.checkout_session_id, status: query.status, limit: query.limit, offset: query.offset });
    return toPage(items.map(presentPayment), total, query);
  }

  @Get('v1/payments/:id')
  @ApiOperation({ operationId: 'getPayment', summary: 'One payment, folded from its events: every processor tried or skipped is in `attempts`' })
  @ApiOkResponse({ type: Payment, example: AUTH_RATE_PAYMENT_EXAMPLE })
  @ApiProblems({ 404: NO_PAYMENT })
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return presentPayment((await this.reader.payment(accountOf(principal), id)).view);
  }

  @Get('v1/payments/:id/events')
  @ApiOperation({ operationId: 'listPaymentEvents', summary: "The payment's stored events in order (audit); revision and position are JSON integers" })
  @ApiOkResponse({ type: PaymentEventList })
  @ApiProblems({ 404: NO_PAYMENT })
  async events(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return { items: (await this.reader.events(accountOf(principal), id)).map((event) => presentEvent(event, this.settings.env)) };
  }
}
