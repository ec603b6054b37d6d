import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CommandRunner } from '../command-handling/command-runner';
import { CreateCatalogItemHandler } from './catalog.commands';
import { CatalogReader } from './catalog.reader';

/** Products, prices, customers, coupons and promotion codes; import it for CatalogReader. */
@Module({
  imports: [CqrsModule],
  providers: [CommandRunner, CatalogReader, CreateCatalogItemHandler],
  exports: [CatalogReader],
})
export class CatalogModule {}
