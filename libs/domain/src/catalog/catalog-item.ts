import { FieldError, conflict } from '../shared/errors';
import { assertNoErrors, nameErrors as boundedNameErrors } from '../shared/validation';

export { assertNoErrors };

/** Another aggregate that a command names, as its handler found it: the account that owns it. */
export interface OwnedReference {
  id: string;
  accountId: string;
}

/** Catalog items are written once and never change: their state is whether they exist. */
export type CatalogItemState<Item> = { status: 'none' } | { status: 'created'; item: Item };

export const MAX_CATALOG_NAME_LENGTH = 200;

/** An id the handler looked up is known only when it exists and belongs to the command's account. */
export function isOwnedBy<Reference extends OwnedReference>(reference: Reference | undefined, accountId: string): reference is Reference {
  return reference !== undefined && reference.accountId === accountId;
}

export function nameErrors(field: string, name: string): FieldError[] {
  return boundedNameErrors(field, name, MAX_CATALOG_NAME_LENGTH);
}

export function assertNew(state: CatalogItemState<unknown>, id: string): void {
  if (state.status !== 'none') throw conflict(`${id} already exists`);
}
