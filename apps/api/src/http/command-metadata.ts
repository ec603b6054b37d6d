import { ServerResponse } from 'node:http';
import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { CommandMetadata } from '@payments/orchestration';
import { ApiRequest } from './api-request';
import { requestIdFor } from './request-id';

/**
 * The metadata a command copies into its events: the caller's account and the request id,
 * which is both the correlation id (the request starts the flow) and the causation id (the
 * request is the message that caused the command).
 */
export function commandMetadataOf(request: ApiRequest, response: ServerResponse): CommandMetadata {
  const requestId = requestIdFor(request, response);
  const principal = request.principal;
  return {
    ...(principal && principal.kind !== 'admin' && { accountId: principal.accountId }),
    requestId,
    correlationId: requestId,
    causationId: requestId,
  };
}

export const RequestMetadata = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandMetadata => {
  const http = ctx.switchToHttp();
  return commandMetadataOf(http.getRequest<ApiRequest>(), http.getResponse<ServerResponse>());
});
