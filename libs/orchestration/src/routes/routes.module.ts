import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AccountsModule } from '../accounts/accounts.module';
import { RouteReferences } from './route-references';
import { CreateRouteHandler, DeleteRouteHandler, UpdateRouteHandler } from './route.commands';

/** Processor routes and the references that keep them from being deleted. The account default route is SetAccountDefaults (AccountsModule). */
@Module({
  imports: [CqrsModule, AccountsModule],
  providers: [CreateRouteHandler, UpdateRouteHandler, DeleteRouteHandler, RouteReferences],
  exports: [RouteReferences],
})
export class RoutesModule {}
