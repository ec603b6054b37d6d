import { createHash } from 'node:crypto';
import { AccountTokenKind, PaymentsEnv, domainEventOf, streamName } from '@payments/domain';
import { EventStore, WrongExpectedRevision, deterministicUuid } from '@payments/event-store';
import { randomBase62 } from '../random-ids';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newAccountToken(kind: AccountTokenKind, env: PaymentsEnv): string {
  return `${kind === 'secret' ? 'st' : 'pt'}_${env}_${randomBase62(32)}`;
}

export function tokenStream(tokenHash: string): string {
  return streamName('account_token', tokenHash);
}

export interface TokenOwner {
  accountId: string;
  kind: AccountTokenKind;
}

/**
 * Binds a token hash to an account in the token's own stream. The 'no_stream' expectation makes
 * a hash unique across accounts; binding the same hash to the same account again is a no-op.
 */
export async function bindToken(store: EventStore, owner: TokenOwner, tokenHash: string): Promise<void> {
  const stream = tokenStream(tokenHash);
  try {
    await store.appendToStream(
      stream,
      [
        {
          id: deterministicUuid(`${stream}:${owner.accountId}`),
          type: 'AccountTokenRegistered',
          data: { account_id: owner.accountId, kind: owner.kind, token_hash: tokenHash },
          metadata: { schema_version: 1, account_id: owner.accountId },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
  } catch (error) {
    if (!(error instanceof WrongExpectedRevision)) throw error;
    const existing = await findTokenOwner(store, tokenHash);
    if (existing?.accountId !== owner.accountId || existing.kind !== owner.kind) {
      throw new Error('token is already bound to another account');
    }
  }
}

export async function findTokenOwner(store: EventStore, tokenHash: string): Promise<TokenOwner | undefined> {
  for await (const stored of store.readStream(tokenStream(tokenHash), { maxCount: 1 })) {
    const event = domainEventOf(stored);
    if (event.type === 'AccountTokenRegistered') return { accountId: event.data.account_id, kind: event.data.kind };
  }
  return undefined;
}
