import { SetMetadata, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { notFound } from '@payments/domain';

/** Who is calling, resolved by the auth guard from `Authorization: Bearer <token>`. */
export type Principal =
  | { kind: 'admin'; tokenId: string }
  | { kind: 'secret' | 'publishable'; accountId: string; tokenId: string };

export type TokenKind = Principal['kind'];

export const AUTH_KINDS = 'auth:kinds';
export const PUBLIC_ROUTE = 'auth:public';

/**
 * Which token kinds may call a handler. Undecorated handlers take secret tokens only
 * (API.md: publishable tokens reach two endpoints, admin tokens only account creation/listing).
 */
export const Auth = (...kinds: TokenKind[]) => SetMetadata(AUTH_KINDS, kinds);

/** No token needed: health, metrics, docs, hosted pages. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!request.principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return request.principal;
});

/** The account of a secret or publishable token; admin tokens have none. */
export function accountOf(principal: Principal): string {
  if (principal.kind === 'admin') throw new Error('admin principal has no account');
  return principal.accountId;
}

/** Resolves a presented token (never stored in clear) to its principal. */
export interface TokenResolver {
  resolve(token: string): Promise<Principal | undefined>;
}
export const TOKEN_RESOLVER = Symbol('TokenResolver');

/**
 * Guards every read or change of an account's resource: a resource of another account (or any
 * account resource asked for with an admin token) answers 404 exactly like a missing one, so
 * that ids never reveal what exists (API.md "Conventions"). Pass `undefined` for a resource that
 * was not found.
 *
 *   const route = await this.routes.find(id);
 *   assertOwnedBy(principal, route?.accountId, `No processor route ${id}`);
 */
export function assertOwnedBy(principal: Principal, ownerAccountId: string | undefined, notFoundMessage: string): asserts ownerAccountId is string {
  if (ownerAccountId === undefined || principal.kind === 'admin' || principal.accountId !== ownerAccountId) {
    throw notFound(notFoundMessage);
  }
}
