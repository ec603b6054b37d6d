import { domainEventOf } from '@payments/domain';
import { Projection, ProjectionReader } from '../projection';
import { Page, ReadModelStore, ReadModelWrite } from '../read-model-store';

/** An account as the admin listing shows it. */
export interface AccountSummary {
  id: string;
  name: string;
  sandbox: boolean;
  defaultProcessorId: string | null;
  defaultRouteId: string | null;
  createdAt: string;
}

const COLLECTION = 'accounts';
const ALL = 'all';

/** Every account, for the admin listing (GET /v1/accounts), ordered by opening time. */
export const accountsListing: Projection = {
  name: 'accounts_listing',
  collections: [COLLECTION],
  async project(event, reader) {
    const account = domainEventOf(event);
    switch (account.type) {
      case 'AccountOpened': {
        const { account_id, name, sandbox, opened_at } = account.data;
        const summary: AccountSummary = { id: account_id, name, sandbox, defaultProcessorId: null, defaultRouteId: null, createdAt: opened_at };
        return [put(summary)];
      }
      case 'AccountDefaultProcessorChanged':
        return change(reader, account.data.account_id, { defaultProcessorId: account.data.processor_id });
      case 'AccountDefaultRouteChanged':
        return change(reader, account.data.account_id, { defaultRouteId: account.data.route_id });
      default:
        return [];
    }
  },
};

function put(summary: AccountSummary): ReadModelWrite {
  return { op: 'put', collection: COLLECTION, id: summary.id, doc: summary, indexes: [{ index: ALL, score: Date.parse(summary.createdAt) }] };
}

async function change(reader: ProjectionReader, accountId: string, changes: Partial<AccountSummary>): Promise<ReadModelWrite[]> {
  const summary = await reader.get<AccountSummary>(COLLECTION, accountId);
  return summary ? [put({ ...summary, ...changes })] : [];
}

/** Accounts newest first. */
export function listAccounts(store: ReadModelStore, page: { limit: number; offset: number }): Promise<Page<AccountSummary>> {
  return store.list<AccountSummary>(COLLECTION, ALL, { ...page, order: 'desc' });
}
