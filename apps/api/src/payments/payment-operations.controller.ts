import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandMetadata, OperationAnswer, PaymentOperations } from '@payments/orchestration';
import { ApiProblems } from '../http/api-problems';
import { RequestMetadata } from '../http/command-metadata';
import { toPage } from '../http/pagination';
import { CurrentPrincipal, Principal, accountOf } from '../http/principal';
import { ProblemException } from '../http/problem-details';
import { CapturePaymentDto, CreateRefundDto, ListRefundsQuery } from './payment-operations.dto';
import { presentPayment } from './payment.presenter';
import { PAYMENT_EXAMPLE, Payment } from './payment.schema';
import { presentRefund } from './refund.presenter';
import { REFUND_EXAMPLE, Refund, RefundPage } from './refund.schema';

const NO_PAYMENT = 'No payment with this id in the account.';
const ONCE =
  'The operation is recorded with its idempotency key (derived from its id) before the processor that approved the payment is called, and its outcome after, ' +
  'so a retry or a restart never does it twice; an answer from the processor that says nothing (timeout, 5xx) is repeated under the same key until it does.';
const PENDING = 'The processor has not answered within PAY_WAIT_MS; the service keeps sending the operation under the same key. Read the payment later.';

/** API.md "After the approval": capture, void and refunds of an approved payment, and refund reads. */
@ApiTags('Payments')
@ApiBearerAuth()
@Controller()
export class PaymentOperationsController {
  constructor(private readonly operations: PaymentOperations) {}

  @Post('v1/payments/:id/capture')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'capturePayment',
    summary: 'Capture a payment in requires_capture: all it holds, or part (the rest of the hold is released)',
    description: `Only a payment whose session had capture_method manual, in requires_capture. ${ONCE} Capturing twice: 409.`,
  })
  @ApiBody({ type: CapturePaymentDto, required: false, examples: { all: { summary: 'All that was authorized', value: {} }, part: { summary: 'A partial capture', value: { amount: 2500 } } } })
  @ApiOkResponse({ type: Payment, description: 'The payment, succeeded, with amount_captured', example: { ...PAYMENT_EXAMPLE, capture_method: 'manual', amount_captured: 2500 } })
  @ApiProblems({
    404: NO_PAYMENT,
    409: 'The payment is not in requires_capture (captured already, voided, expired, a sale, failed or processing), or a void or another capture of it is in progress.',
    422: 'amount is not 1 to the amount authorized; or the processor refused the capture (type .../processor-refused, its code in detail): the payment stays in requires_capture.',
    503: PENDING,
  })
  async capture(@Param('id') id: string, @Body() body: CapturePaymentDto, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    return paymentOf(await this.operations.capture(accountOf(principal), id, body?.amount, metadata), 'capture');
  }

  @Post('v1/payments/:id/void')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'voidPayment',
    summary: 'Void a payment in requires_capture: the hold is released and the payment canceled',
    description: `Only a payment in requires_capture (a sale is refunded instead). ${ONCE} An authorization not captured within 7 days is voided by the service (AuthorizationExpired).`,
  })
  @ApiOkResponse({ type: Payment, description: 'The payment, canceled', example: { ...PAYMENT_EXAMPLE, status: 'canceled', capture_method: 'manual', amount_captured: 0 } })
  @ApiProblems({
    404: NO_PAYMENT,
    409: 'The payment is not in requires_capture (captured, voided, expired, a sale, failed or processing), or a capture of it is in progress.',
    422: 'The processor refused the void (type .../processor-refused, its code in detail): the payment stays in requires_capture.',
    503: PENDING,
  })
  async void(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    return paymentOf(await this.operations.void(accountOf(principal), id, metadata), 'void');
  }

  @Post('v1/payments/:id/refunds')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'createRefund',
    summary: 'Refund a captured payment, in full or in part; several refunds may follow one another up to amount_captured',
    description:
      `${ONCE} A refund reserves its amount: one that would take the refunds succeeded and pending past amount_captured is 422, so refunds never exceed what was captured. ` +
      'A refund requested while another of the payment is pending is queued behind it; the answer comes once the processor has answered, or after PAY_WAIT_MS with status pending.',
  })
  @ApiBody({ type: CreateRefundDto, required: false, examples: { part: { summary: 'A partial refund', value: { amount: 1000, reason: 'requested_by_customer' } }, all: { summary: 'All that is left', value: {} } } })
  @ApiCreatedResponse({ type: Refund, description: 'The refund: succeeded, failed (the processor refused it) or pending', example: REFUND_EXAMPLE })
  @ApiProblems({
    404: NO_PAYMENT,
    409: 'The payment took no money to refund: it is in requires_capture (capture or void it), canceled, failed or processing.',
    422: 'amount is not 1 to what is left to refund (amount_captured less the refunds succeeded and pending), or nothing is left.',
  })
  async refund(@Param('id') id: string, @Body() body: CreateRefundDto, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    return presentRefund(await this.operations.refund(accountOf(principal), id, { amount: body?.amount, reason: body?.reason ?? null }, metadata));
  }

  @Get('v1/payments/:id/refunds')
  @ApiOperation({ operationId: 'listPaymentRefunds', summary: "The payment's refunds, newest first, read from its events" })
  @ApiOkResponse({ type: RefundPage })
  @ApiProblems({ 404: NO_PAYMENT })
  async refunds(@Param('id') id: string, @Query() query: ListRefundsQuery, @CurrentPrincipal() principal: Principal) {
    const { items, total } = await this.operations.refunds(accountOf(principal), id, query);
    return toPage(items.map(presentRefund), total, query);
  }

  @Get('v1/refunds/:id')
  @ApiOperation({ operationId: 'getRefund', summary: "One refund, as its payment's events record it" })
  @ApiOkResponse({ type: Refund, example: REFUND_EXAMPLE })
  @ApiProblems({ 404: 'No refund with this id in the account.' })
  async getRefund(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return presentRefund(await this.operations.refundById(accountOf(principal), id));
  }
}

/** The payment once the processor did it; a refusal is 422, an answer still awaited 503 (both problem details). */
function paymentOf(answer: OperationAnswer, operation: 'capture' | 'void') {
  switch (answer.outcome) {
    case 'succeeded':
      return presentPayment(answer.payment);
    case 'failed':
      throw new ProblemException('processor_refused', `The processor refused the ${operation}${answer.code === null ? '' : ` with code ${answer.code}`}; the payment is still ${answer.payment.status}.`);
    case 'pending':
      throw new ProblemException('processor_pending', `The processor has not answered the ${operation} yet; the service keeps sending it under the same idempotency key. Read the payment later.`, {
        headers: { 'Retry-After': '5' },
      });
  }
}
