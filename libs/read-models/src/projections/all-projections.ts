import { Projection } from '../projection';
import { accountsListing } from './accounts-listing';

/**
 * Every projection of the service, in one list, so the service and the CLI's rebuild run
 * exactly the same ones. A feature adds its projection here.
 */
export const allProjections: readonly Projection[] = [accountsListing];
