import { Inject, Injectable } from '@nestjs/common';
import { EventStore } from '@payments/event-store';
import { EVENT_STORE } from '../tokens';
import { TokenOwner, findTokenOwner, hashToken } from './account-tokens';

const TOKEN_SHAPE = /^(st|pt)_(prod|stg)_[A-Za-z0-9]{16,64}$/;
const CACHE_LIMIT = 10_000;

/**
 * Resolves presented tokens to their account. Tokens are never revoked today, so a positive
 * answer is cached; unknown tokens are not, so a token issued a moment ago works at once.
 */
@Injectable()
export class TokenDirectory {
  private readonly cache = new Map<string, TokenOwner>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async owner(token: string): Promise<TokenOwner | undefined> {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const owner = await findTokenOwner(this.store, hash);
    if (owner) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(hash, owner);
    }
    return owner;
  }
}
