import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { PublicPayer } from '@payments/orchestration';
import { ApiRequest } from '../api-request';

/** The payer behind a public pay (the hosted page's form, a publishable token): its client address, as Express tells it. */
export function publicPayerOf(request: ApiRequest): PublicPayer {
  return { address: request.ip ?? request.socket.remoteAddress };
}

/**
 * The public payer of an API request made with a publishable token, whose card and address the
 * card-testing limits count; undefined for a secret token (the merchant's server pays for its customers).
 */
export const PublicPayerOfRequest = createParamDecorator((_: unknown, ctx: ExecutionContext): PublicPayer | undefined => {
  const request = ctx.switchToHttp().getRequest<ApiRequest>();
  return request.principal?.kind === 'publishable' ? publicPayerOf(request) : undefined;
});
