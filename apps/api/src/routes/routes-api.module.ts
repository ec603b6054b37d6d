import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { RoutesModule } from '@payments/orchestration';
import { ProcessorRoutesController } from './processor-routes.controller';

/** Processor routes over HTTP. */
@Module({
  imports: [CqrsModule, RoutesModule],
  controllers: [ProcessorRoutesController],
})
export class RoutesApiModule {}
