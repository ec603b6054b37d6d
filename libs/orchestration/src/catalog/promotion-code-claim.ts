import { promotionCodeClaimDecider, promotionCodeClaimStream } from '@payments/domain';
import { CommandRunner } from '../command-handling/command-runner';
import { CommandMetadata } from '../command-handling/handle-command';
import { CatalogReader } from './catalog.reader';

export interface CodeClaim {
  accountId: string;
  code: string;
  /** The id the new promotion code gets unless it takes over an abandoned claim. */
  newId: string;
  metadata: CommandMetadata;
}

/**
 * Claims a code for a promotion code about to be created and answers the id to create it
 * under. A claim is appended before its promotion code, so a process that stops between the
 * two leaves a claim naming a promotion code that does not exist. Such a claim does not keep
 * the code forever: the next request takes it over by creating that very promotion code, which
 * the claim decider accepts as a retry. Should the first request still be running, the
 * 'no_stream' append of the promotion code lets only one of them create it.
 */
export async function claimPromotionCode(runner: CommandRunner, reader: CatalogReader, { accountId, code, newId, metadata }: CodeClaim): Promise<string> {
  const holderId = await reader.promotionCodeHolder(accountId, code);
  const abandoned = holderId !== undefined && (await reader.promotionCode(accountId, holderId)) === undefined;
  const promotionCodeId = abandoned ? holderId : newId;
  // One retry, so that losing a race for a free code reads the winner and answers its conflict.
  await runner.run(promotionCodeClaimStream(accountId, code), promotionCodeClaimDecider, { type: 'ClaimPromotionCode', accountId, code, promotionCodeId }, { metadata, retries: 1 });
  return promotionCodeId;
}
