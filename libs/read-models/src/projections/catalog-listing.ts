import { CatalogItem, CatalogKind, catalogItemCreatedBy, categoryOf, domainEventOf } from '@payments/domain';
import { Projection } from '../projection';
import { Page, ReadModelStore } from '../read-model-store';

const COLLECTION = 'catalog_items';

/** One index per account and kind, e.g. `acc_stg_x:price`. */
function indexOf(accountId: string, kind: CatalogKind): string {
  return `${accountId}:${kind}`;
}

/**
 * Every catalog item, listed per account and kind. Items never change, so each is written once.
 * The score is the event's global position rather than its time, so that items created within
 * one millisecond still list in the order they were created.
 */
export const catalogListing: Projection = {
  name: 'catalog_listing',
  collections: [COLLECTION],
  project(event) {
    // Catalog items are created on catalog streams alone: the other events are passed by unread.
    if (categoryOf(event.streamId) !== 'catalog') return [];
    const created = catalogItemCreatedBy(domainEventOf(event));
    if (!created) return [];
    const { kind, item } = created;
    return [{ op: 'put', collection: COLLECTION, id: item.id, doc: item, indexes: [{ index: indexOf(item.accountId, kind), score: Number(event.position) }] }];
  },
};

/** The account's items of one kind, newest first. */
export function listCatalogItems<Kind extends CatalogKind>(
  store: ReadModelStore,
  accountId: string,
  kind: Kind,
  page: { limit: number; offset: number },
): Promise<Page<CatalogItem<Kind>>> {
  return store.list<CatalogItem<Kind>>(COLLECTION, indexOf(accountId, kind), { ...page, order: 'desc' });
}
