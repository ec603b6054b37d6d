import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CommandRunner } from '../command-handling/command-runner';
import { AccountDefaultRoute } from './account-default-route';
import { AccountsReader } from './accounts.reader';
import { ConnectProcessorHandler, OpenAccountHandler, SetAccountDefaultsHandler, UpdateProcessorHandler } from './accounts.commands';
import { TokenDirectory } from './token-directory';

/** Accounts, their tokens and their connected processors. */
@Module({
  imports: [CqrsModule],
  providers: [CommandRunner, AccountsReader, AccountDefaultRoute, TokenDirectory, OpenAccountHandler, ConnectProcessorHandler, UpdateProcessorHandler, SetAccountDefaultsHandler],
  exports: [CommandRunner, AccountsReader, TokenDirectory],
})
export class AccountsModule {}
