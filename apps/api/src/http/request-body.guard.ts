import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { ApiRequest } from './api-request';
import { bodyErrorOf } from './deferred-body-errors';
import { ProblemException } from './problem-details';

/** What the OpenAPI document says an operation without `@ApiConsumes` takes. */
const JSON_ONLY: readonly string[] = ['application/json'];
const METHODS_WITH_BODIES = new Set(['POST', 'PUT', 'PATCH']);

function hasBody(request: ApiRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * What is wrong with the body, answered after the guards that check the token (so a caller
 * without a valid one gets 401 and learns nothing about the route):
 * - 415 for a body in a media type the handler does not take. Without it, a JSON body sent as
 *   text/plain or without a Content-Type reached validation as an empty object ("name is
 *   required"), and one sent as a form came back quoted, card number and all, as an unknown key;
 * - then what the body parsers and the body-shape check kept on the request (deferred-body-errors.ts).
 */
@Injectable()
export class RequestBodyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<ApiRequest>();
    if (METHODS_WITH_BODIES.has(request.method ?? '') && hasBody(request)) this.assertMediaType(context, request);
    const bodyError = bodyErrorOf(request);
    if (bodyError !== undefined) throw bodyError;
    return true;
  }

  private assertMediaType(context: ExecutionContext, request: ApiRequest): void {
    // `@ApiConsumes` both documents and decides, so the document and the service cannot disagree.
    const accepted = this.reflector.getAllAndOverride<string[]>(DECORATORS.API_CONSUMES, [context.getHandler(), context.getClass()]) ?? JSON_ONLY;
    const mediaType = (request.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
    if (accepted.includes(mediaType)) return;
    const list = accepted.join(' or ');
    throw new ProblemException('unsupported_media_type', `Send the body as ${list}, with a Content-Type header saying so.`, {
      headers: { [request.method === 'PATCH' ? 'Accept-Patch' : 'Accept-Post']: accepted.join(', ') },
    });
  }
}
