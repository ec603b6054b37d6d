import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CommandMetadata, OperationAnswer, PaymentOperations } from '@payments/orchestration';
import { ApiProblems, ProblemDetails } from '../http/api-problems';
import { RequestMetadata } from '../http/command-metadata';
import { toPage } from '../http/pagination';
import { CurrentPrincipal, Principal, accountOf } from '../http/principal';
import { PROBLEM_CONTENT_TYPE, PROBLEM_KINDS, ProblemException, ProblemKind, problemType } from '../http/problem-details';
import { CapturePaymentDto, CreateRefundDto, ListRefundsQuery } from './payment-operations.dto';
import { presentPayment } from './payment.presenter';
import { PAYMENT_EXAMPLE, Payment } from './payment.schema';
import { presentRefund } from './refund.presenter';
import { REFUND_EXAMPLE, REFUND_PAGE_EXAMPLE, Refund, RefundPage } from './refund.schema';

const NO_PAYMENT = 'No payment with this id in the account.';
const ONCE =
  'The operation is recorded with its idempotency key (derived from its id) before the processor that approved the payment is called, and its outcome after, ' +
  'so a retry or a restart never does it twice; an answer from the processor that says nothing (timeout, 5xx) is repeated under the same key until it does.';

/** A problem body as ProblemDetailsFilter renders it, for an example. */
function problemExample(kind: ProblemKind, detail: string, instance: string, errors?: Array<{ field: string; message: string }>) {
  const { status, title } = PROBLEM_KINDS[kind];
  return { type: problemType(kind), title, status, detail, instance, request_id: 'req_9Xk2Lm5Qd8WzTq3Hs7Vb1Nc4', ...(errors && { errors }) };
}

/** An error status with one example per way of getting it. */
function ApiProblemExamples(status: 409 | 422 | 503, description: string, examples: Record<string, { summary: string; value: object }>, headers?: Record<string, object>) {
  return ApiResponse({ status, description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetails) }, examples } }, ...(headers && { headers }) });
}

/**
 * 503 of a capture or void: mostly that the processor has not answered yet (processor-pending,
 * with Retry-After), which a client tells from a dependency that is down by its type.
 */
function ApiProcessorPending(operation: 'capture' | 'void') {
  const instance = `/v1/payments/pay_stg_2Jx7Qm4Lk9Wd/${operation}`;
  return ApiProblemExamples(
    503,
    `The processor has not answered the ${operation} within PAY_WAIT_MS (type .../processor-pending, with Retry-After): it is recorded, and the service keeps sending it ` +
      'under the same idempotency key until the processor answers; read the payment later (or send the same request again, which joins it). ' +
      'Or a dependency (event store, Redis) is unavailable (type .../unavailable); safe to retry.',
    {
      pending: {
        summary: 'The processor has not answered yet',
        value: problemExample('processor_pending', `The processor has not answered the ${operation} yet; the service keeps sending it under the same idempotency key. Read the payment later.`, instance),
      },
      unavailable: { summary: 'A dependency is down', value: problemExample('unavailable', 'The event store is unavailable; safe to retry.', instance) },
    },
    { 'Retry-After': { description: 'With processor-pending: whole seconds after which reading the payment again is worth it.', schema: { type: 'integer', minimum: 1, example: 5 } } },
  );
}

const REFUSED = (operation: 'capture' | 'void') => ({
  summary: 'The processor refused it',
  value: problemExample('processor_refused', `The processor refused the ${operation} with code authorization_voided; the payment is still requires_capture.`, `/v1/payments/pay_stg_2Jx7Qm4Lk9Wd/${operation}`),
});

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
  @ApiProblems({ 404: NO_PAYMENT })
  @ApiProblemExamples(409, 'The payment is not in requires_capture (captured already, voided, expired, a sale, failed or processing), or a void or another capture of it is in progress.', {
    captured: { summary: 'Captured already', value: problemExample('conflict', 'payment pay_stg_2Jx7Qm4Lk9Wd is succeeded: only a payment in requires_capture can be captured', '/v1/payments/pay_stg_2Jx7Qm4Lk9Wd/capture') },
  })
  @ApiProblemExamples(
    422,
    'amount is not 1 to the amount authorized (type .../validation, the amount field in errors); or the processor refused the capture (type .../processor-refused, its code in detail): the payment stays in requires_capture, and another capture may be asked for.',
    {
      amount: {
        summary: 'More than authorized',
        value: problemExample('validation', 'capture 1 to 4900 USD, the amount authorized', '/v1/payments/pay_stg_2Jx7Qm4Lk9Wd/capture', [{ field: 'amount', message: 'must be a whole number from 1 to 4900 (minor units)' }]),
      },
      refused: REFUSED('capture'),
    },
  )
  @ApiProcessorPending('capture')
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
  @ApiProblems({ 404: NO_PAYMENT })
  @ApiProblemExamples(409, 'The payment is not in requires_capture (captured, voided, expired, a sale, failed or processing), or a capture of it is in progress.', {
    sale: { summary: 'A sale (refund it instead)', value: problemExample('conflict', 'payment pay_stg_2Jx7Qm4Lk9Wd is succeeded: only a payment in requires_capture can be voided', '/v1/payments/pay_stg_2Jx7Qm4Lk9Wd/void') },
  })
  @ApiProblemExamples(422, 'The processor refused the void (type .../processor-refused, its code in detail): the payment stays in requires_capture. A processor that says the hold is gone already (already_voided) is a void that succeeded.', {
    refused: REFUSED('void'),
  })
  @ApiProcessorPending('void')
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
  @ApiProblems({ 404: NO_PAYMENT })
  @ApiProblemExamples(409, 'The payment took no money to refund: it is in requires_capture (capture or void it), canceled, failed or processing.', {
    held: {
      summary: 'Not captured',
      value: problemExample('conflict', 'payment pay_stg_2Jx7Qm4Lk9Wd is requires_capture: capture it first, or void it; only a captured payment can be refunded', '/v1/payments/pay_stg_2Jx7Qm4Lk9Wd/refunds'),
    },
  })
  @ApiProblemExamples(422, 'amount is not 1 to what is left to refund (amount_captured less the refunds succeeded and pending), or nothing is left: refunds never exceed what was captured.', {
    over: {
      summary: 'More than is left',
      value: problemExample('validation', 'at most 2000 USD can be refunded on payment pay_stg_2Jx7Qm4Lk9Wd (captured 4900, refunded 1900, pending 1000)', '/v1/payments/pay_stg_2Jx7Qm4Lk9Wd/refunds', [
        { field: 'amount', message: 'must be a whole number from 1 to 2000 (minor units)' },
      ]),
    },
  })
  async refund(@Param('id') id: string, @Body() body: CreateRefundDto, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    return presentRefund(await this.operations.refund(accountOf(principal), id, { amount: body?.amount, reason: body?.reason ?? null }, metadata));
  }

  @Get('v1/payments/:id/refunds')
  @ApiOperation({ operationId: 'listPaymentRefunds', summary: "The payment's refunds, newest first, read from its events" })
  @ApiOkResponse({ type: RefundPage, description: "The payment's refunds, pending ones included, newest first", example: REFUND_PAGE_EXAMPLE })
  @ApiProblems({ 404: NO_PAYMENT })
  async refunds(@Param('id') id: string, @Query() query: ListRefundsQuery, @CurrentPrincipal() principal: Principal) {
    const { items, total } = await this.operations.refunds(accountOf(principal), id, query);
    return toPage(items.map(presentRefund), total, query);
  }

  @Get('v1/refunds/:id')
  @ApiOperation({ operationId: 'getRefund', summary: "One refund, as its payment's events record it" })
  @ApiOkResponse({ type: Refund, description: 'The refund as it stands: pending until the processor has answered', example: REFUND_EXAMPLE })
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
