import { Account } from '@payments/domain';
import { OpenedAccount } from '@payments/orchestration';
import { AccountSummary } from '@payments/read-models';

export function presentAccount(account: Account) {
  return {
    id: account.id,
    object: 'account' as const,
    name: account.name,
    default_processor_id: account.defaultProcessorId,
    default_processor_route_id: null as string | null,
    created_at: account.createdAt,
  };
}

/** The only response that carries the tokens: they are shown once, then only hashes exist. */
export function presentOpenedAccount({ account, secretToken, publishableToken }: OpenedAccount) {
  return { ...presentAccount(account), secret_token: secretToken, publishable_token: publishableToken };
}

export function presentAccountSummary(summary: AccountSummary) {
  return presentAccount({ id: summary.id, name: summary.name, sandbox: summary.sandbox, createdAt: summary.createdAt, defaultProcessorId: summary.defaultProcessorId, processorIds: [] });
}
