import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CatalogModule } from '../catalog/catalog.module';
import { CommandRunner } from '../command-handling/command-runner';
import { RoutesModule } from '../routes/routes.module';
import { CardTestingDefence } from './card-testing-defence';
import { CheckoutSessionLinks } from './checkout-session-links';
import { CheckoutSessionStream } from './checkout-session-stream';
import { CheckoutSessionsReader } from './checkout-sessions.reader';
import { CreateCheckoutSessionHandler } from './create-checkout-session';
import { ExpireCheckoutSessionHandler, ExpireOverdueSessionsHandler } from './expire-checkout-sessions';
import { ExpiredSessionsSweeper } from './expired-sessions-sweeper';
import { SessionPayments } from './session-payments';
import { SessionReferencesLookup } from './session-references-lookup';
import { SessionRouteReferences } from './session-route-references';

/**
 * Checkout sessions: creation with its route references, expiry (by request and by the sweeper)
 * and the session side of payments. It attaches and detaches routes with the routes module's RouteReferences.
 */
@Module({
  imports: [CqrsModule, CatalogModule, RoutesModule],
  providers: [
    CommandRunner,
    SessionReferencesLookup,
    SessionRouteReferences,
    CheckoutSessionStream,
    CheckoutSessionLinks,
    CheckoutSessionsReader,
    ExpiredSessionsSweeper,
    CreateCheckoutSessionHandler,
    ExpireCheckoutSessionHandler,
    ExpireOverdueSessionsHandler,
    SessionPayments,
    CardTestingDefence,
  ],
  exports: [CheckoutSessionsReader, CheckoutSessionLinks, SessionPayments, CardTestingDefence],
})
export class CheckoutSessionsModule {}
