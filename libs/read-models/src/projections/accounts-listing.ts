import { AccountEvent } from '@payments/domain';
import { Projection } from '../projection';
import { Page, ReadModelStore } from '../read-model-store';

/** An account as the admin listing shows it. */
export interface AccountSummary {
  id: string;
  name: string;
  sandbox: boolean;
  defaultProcessorId: string | null;
  createdAt: string;
}

const COLLECTION = 'accounts';
const ALL = 'all';

/** Every account, for the admin listing (GET /v1/accounts), ordered by opening time. */
export const accountsListing: Projection = {
  name: 'accounts_listing',
  collections: [COLLECTION],
  async project(event, reader) {
    const account = event as unknown as AccountEvent;
    switch (account.type) {
      case 'AccountOpened': {
        const { account_id, name, sandbox, opened_at } = account.data;
        const summary: AccountSummary = { id: account_id, name, sandbox, defaultProcessorId: null, createdAt: opened_at };
        return [{ op: 'put', collection: COLLECTION, id: account_id, doc: summary, indexes: [{ index: ALL, score: Date.parse(opened_at) }] }];
      }
      case 'AccountDefaultProcessorChanged': {
        const summary = await reader.get<AccountSummary>(COLLECTION, account.data.account_id);
        if (!summary) return [];
        const changed: AccountSummary = { ...summary, defaultProcessorId: account.data.processor_id };
        return [{ op: 'put', collection: COLLECTION, id: summary.id, doc: changed, indexes: [{ index: ALL, score: Date.parse(summary.createdAt) }] }];
      }
      default:
        return [];
    }
  },
};

/** Accounts newest first. */
export function listAccounts(store: ReadModelStore, page: { limit: number; offset: number }): Promise<Page<AccountSummary>> {
  return store.list<AccountSummary>(COLLECTION, ALL, { ...page, order: 'desc' });
}
