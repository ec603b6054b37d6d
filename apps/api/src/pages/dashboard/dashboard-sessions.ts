import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@payments/domain';
import { CLOCK, SETTINGS, Settings, cardFingerprintKey } from '@payments/orchestration';

/** Keeps these HMACs apart from the card fingerprints and checkout links made with the same key. */
const PURPOSE = 'dashboard_session:';
/** A sign-in lasts a working day; signing in again is one paste of the token. */
export const DASHBOARD_SESSION_MS = 8 * 60 * 60 * 1000;
const VALUE_SHAPE = /^v1\.(acc_[a-z]+_[A-Za-z0-9]+)\.([0-9a-f]{16})\.(\d{1,12})\.([0-9a-f]{64})$/;

/** With TLS the `__Host-` prefix makes the browser insist on Secure, Path=/ and no Domain. */
export const SECURE_COOKIE = '__Host-dashboard';
export const PLAIN_COOKIE = 'dashboard';

export interface DashboardSession {
  accountId: string;
  /** The signing-in token's id (a prefix of its hash, as the auth guard names tokens): which token opened the session, never the token. */
  tokenId: string;
  expiresAt: Date;
}

function cookiesOf(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) cookies.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return cookies;
}

/**
 * The dashboard's sign-in as a signed cookie value, `v1.<account>.<token id>.<expiry>.<HMAC>`:
 * it holds no token (a stolen cookie cannot call the API) and no server keeps sessions, so any
 * process of the service reads it and a restart signs nobody out. Signing out clears the cookie;
 * the value itself stays valid until its expiry, which HttpOnly (no script reads it) and
 * SameSite=Strict (no other site sends it) keep in the browser that signed in. Tokens are never
 * revoked today (token-directory.ts); once they are, the token id is what to check here.
 */
@Injectable()
export class DashboardSessions {
  private readonly key: string;

  constructor(
    @Inject(SETTINGS) settings: Settings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.key = cardFingerprintKey(settings);
  }

  /** The `Set-Cookie` header that signs `accountId` in. */
  signIn(accountId: string, tokenId: string, secure: boolean): string {
    const expiresAt = Math.floor((this.clock.now().getTime() + DASHBOARD_SESSION_MS) / 1000);
    const payload = `v1.${accountId}.${tokenId}.${expiresAt}`;
    return cookie(secure, `${payload}.${this.signature(payload)}`, DASHBOARD_SESSION_MS / 1000);
  }

  /** The `Set-Cookie` header that signs out: the cookie, emptied and expired. */
  signOut(secure: boolean): string {
    return cookie(secure, '', 0);
  }

  /** The session the request's cookie holds, if it is one this service signed and it has not expired. */
  sessionOf(cookieHeader: string | undefined): DashboardSession | undefined {
    const cookies = cookiesOf(cookieHeader);
    const value = cookies.get(SECURE_COOKIE) ?? cookies.get(PLAIN_COOKIE);
    const match = value === undefined ? null : VALUE_SHAPE.exec(value);
    if (!match) return undefined;
    const [, accountId, tokenId, expiry, signature] = match;
    const expected = this.signature(`v1.${accountId}.${tokenId}.${expiry}`);
    if (!timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) return undefined;
    const expiresAt = new Date(Number(expiry) * 1000);
    return this.clock.now() < expiresAt ? { accountId, tokenId, expiresAt } : undefined;
  }

  private signature(payload: string): string {
    return createHmac('sha256', this.key).update(PURPOSE + payload).digest('hex');
  }
}

function cookie(secure: boolean, value: string, maxAgeSeconds: number): string {
  const name = secure ? SECURE_COOKIE : PLAIN_COOKIE;
  return `${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
