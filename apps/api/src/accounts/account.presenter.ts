import { Account } from '@payments/domain';
import { OpenedAccount } from '@payments/orchestration';

/** An account as an account token sees it, from its stream or from the admin listing's summary. */
export function presentAccount(account: Pick<Account, 'id' | 'name' | 'defaultProcessorId' | 'defaultRouteId' | 'createdAt'>) {
  return {
    id: account.id,
    object: 'account' as const,
    name: account.name,
    default_processor_id: account.defaultProcessorId,
    default_processor_route_id: account.defaultRouteId,
    created_at: account.createdAt,
  };
}

/** The only response that carries the tokens: they are shown once, then only hashes exist. */
export function presentOpenedAccount({ account, secretToken, publishableToken }: OpenedAccount) {
  return { ...presentAccount(account), secret_token: secretToken, publishable_token: publishableToken };
}
