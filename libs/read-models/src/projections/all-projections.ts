import { Projection } from '../projection';
import { accountsListing } from './accounts-listing';
import { analytics } from './analytics';
import { approvalRates } from './approval-rates';
import { catalogListing } from './catalog-listing';
import { checkoutSessions } from './checkout-sessions';
import { paymentOperations } from './payment-operations';
import { payments } from './payments';
import { routeListing } from './route-listing';
import { routeReferences } from './route-references';
import { webhookDeliveries } from './webhook-deliveries';
import { webhookEndpointsListing } from './webhook-endpoints';
import { webhookOutbox } from './webhook-outbox';

/**
 * Every projection of the service, in one list, so the service and the CLI's rebuild run
 * exactly the same ones. A feature adds its projection here.
 */
export const allProjections: readonly Projection[] = [accountsListing, catalogListing, routeListing, routeReferences, checkoutSessions, payments, paymentOperations, analytics, approvalRates, webhookEndpointsListing, webhookOutbox, webhookDeliveries];
