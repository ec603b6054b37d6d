import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SETTINGS, Settings } from '@payments/orchestration';
import { ApiRequest } from './api-request';
import { AUTH_KINDS, PUBLIC_ROUTE, Principal, TOKEN_RESOLVER, TokenKind, TokenResolver } from './principal';
import { ProblemException } from './problem-details';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Undecorated handlers: secret tokens only. */
export const DEFAULT_KINDS: readonly TokenKind[] = ['secret'];

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * `Authorization: Bearer <token>` on every route but @Public ones: the admin token of the
 * settings, else whatever TOKEN_RESOLVER knows. Missing or unknown token: 401; a token kind
 * the route's @Auth does not list: 403. Sets `request.principal` and `request.tokenHash`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly adminTokenHash?: Buffer;

  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_RESOLVER) private readonly tokens: TokenResolver,
    @Inject(SETTINGS) settings: Settings,
  ) {
    this.adminTokenHash = settings.adminToken === undefined ? undefined : sha256(settings.adminToken);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<ApiRequest>();
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined) {
      throw new ProblemException('unauthorized', 'Send your API token as `Authorization: Bearer <token>`.');
    }
    const tokenHash = sha256(token);
    const principal = await this.principalOf(token, tokenHash);
    if (!principal) {
      throw new ProblemException('unauthorized', 'The bearer token is not valid.', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    }
    const allowed = this.reflector.getAllAndOverride<TokenKind[]>(AUTH_KINDS, targets) ?? DEFAULT_KINDS;
    if (!allowed.includes(principal.kind)) {
      throw new ProblemException('forbidden', `This endpoint does not accept ${principal.kind} tokens.`);
    }
    request.principal = principal;
    request.tokenHash = tokenHash.toString('hex');
    return true;
  }

  private async principalOf(token: string, tokenHash: Buffer): Promise<Principal | undefined> {
    // Comparing fixed-length hashes keeps the comparison constant-time whatever the token's length.
    if (this.adminTokenHash && timingSafeEqual(tokenHash, this.adminTokenHash)) {
      return { kind: 'admin', tokenId: 'admin' };
    }
    return this.tokens.resolve(token);
  }
}
