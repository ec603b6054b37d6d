import { Injectable } from '@nestjs/common';
import { Account, Processor, accountDecider, notFound, processorDecider, streamName } from '@payments/domain';
import { CommandRunner } from '../command-handling/command-runner';

export interface ProcessorWithOrder {
  processor: Processor;
  connectionOrder: number;
  /** The processor stream's revision the processor was read at (what a tier records of it). */
  revision: number;
}

/** Reads folded from the account and processor streams (small, so no projection is needed). */
@Injectable()
export class AccountsReader {
  constructor(private readonly runner: CommandRunner) {}

  async account(accountId: string): Promise<Account> {
    const state = await this.runner.load(streamName('account', accountId), accountDecider);
    if (state.status !== 'open') throw notFound(`no account ${accountId}`);
    return state.account;
  }

  /** Another account's processor reads as missing: existence never leaks across accounts. */
  async processor(accountId: string, processorId: string): Promise<ProcessorWithOrder> {
    const [account, { state, revision }] = await Promise.all([
      this.account(accountId),
      this.runner.loadFolded(streamName('processor', processorId), processorDecider),
    ]);
    if (state.status !== 'connected' || state.processor.accountId !== accountId) throw notFound(`no processor ${processorId}`);
    return { processor: state.processor, connectionOrder: account.processorIds.indexOf(processorId) + 1, revision: Number(revision) };
  }

  /** The account's processors in connection order; `account` when the caller has just read it. */
  async processors(accountId: string, page?: { offset: number; limit: number }, account?: Account): Promise<{ items: ProcessorWithOrder[]; total: number }> {
    account ??= await this.account(accountId);
    const ids = page ? account.processorIds.slice(page.offset, page.offset + page.limit) : account.processorIds;
    const start = page?.offset ?? 0;
    const folds = await Promise.all(ids.map((id) => this.runner.loadFolded(streamName('processor', id), processorDecider)));
    const items = folds.flatMap(({ state, revision }, index) =>
      state.status === 'connected' ? [{ processor: state.processor, connectionOrder: start + index + 1, revision: Number(revision) }] : [],
    );
    return { items, total: account.processorIds.length };
  }
}
