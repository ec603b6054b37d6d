import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CommandRunner } from '../command-handling/command-runner';
import { AccountsReader } from './accounts.reader';
import { ConnectProcessorHandler, OpenAccountHandler, SetAccountDefaultsHandler, UpdateProcessorHandler } from './accounts.commands';
import { TokenDirectory } from './token-directory';

/** Accounts, their tokens and their connected processors. */
@Module({
  imports: [CqrsModule],
  providers: [CommandRunner, AccountsReader, TokenDirectory, OpenAccountHandler, ConnectProcessorHandler, UpdateProcessorHandler, SetAccountDefaultsHandler],
  exports: [CommandRunner, AccountsReader, TokenDirectory],
})
export class AccountsModule {}
