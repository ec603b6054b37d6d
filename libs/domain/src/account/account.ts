import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { conflict, invalid, notFound } from '../shared/errors';

export type AccountTokenKind = 'secret' | 'publishable';

export type AccountEvent =
  | DomainEvent<'AccountOpened', { account_id: string; name: string; sandbox: boolean; opened_at: string }>
  | DomainEvent<'AccountProcessorConnected', { account_id: string; processor_id: string; connection_order: number }>
  | DomainEvent<'AccountDefaultProcessorChanged', { account_id: string; processor_id: string | null }>;

export type AccountCommand =
  | { type: 'OpenAccount'; accountId: string; name: string; sandbox: boolean }
  | { type: 'RegisterProcessor'; accountId: string; processorId: string }
  /** `undefined` leaves the default as it is; `null` clears it. */
  | { type: 'SetDefaultProcessor'; accountId: string; processorId: string | null };

export interface Account {
  id: string;
  name: string;
  sandbox: boolean;
  createdAt: string;
  /** Processor ids in connection order (connection_order = index + 1). */
  processorIds: string[];
  defaultProcessorId: string | null;
}

export type AccountState = { status: 'none' } | { status: 'open'; account: Account };

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState, DecisionContext> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state, { now }) {
    if (command.type === 'OpenAccount') {
      if (state.status === 'open') throw conflict(`account ${command.accountId} already exists`);
      return [{ type: 'AccountOpened', data: { account_id: command.accountId, name: command.name, sandbox: command.sandbox, opened_at: now.toISOString() } }];
    }
    if (state.status === 'none') throw notFound(`no account ${command.accountId}`);
    const account = state.account;
    switch (command.type) {
      case 'RegisterProcessor': {
        // Registering again (a retried request) changes nothing.
        if (account.processorIds.includes(command.processorId)) return [];
        const events: AccountEvent[] = [
          { type: 'AccountProcessorConnected', data: { account_id: account.id, processor_id: command.processorId, connection_order: account.processorIds.length + 1 } },
        ];
        // API.md: the first processor an account connects becomes its default processor.
        if (account.processorIds.length === 0 && account.defaultProcessorId === null) {
          events.push({ type: 'AccountDefaultProcessorChanged', data: { account_id: account.id, processor_id: command.processorId } });
        }
        return events;
      }
      case 'SetDefaultProcessor':
        if (command.processorId !== null && !account.processorIds.includes(command.processorId)) {
          throw invalid(`no processor ${command.processorId} on this account`, [
            { field: 'default_processor_id', message: `unknown processor ${command.processorId}` },
          ]);
        }
        if (command.processorId === account.defaultProcessorId) return [];
        return [{ type: 'AccountDefaultProcessorChanged', data: { account_id: account.id, processor_id: command.processorId } }];
    }
  },

  evolve(state, event) {
    if (event.type === 'AccountOpened') {
      const { account_id, name, sandbox, opened_at } = event.data;
      return { status: 'open', account: { id: account_id, name, sandbox, createdAt: opened_at, processorIds: [], defaultProcessorId: null } };
    }
    if (state.status === 'none') return state;
    const account = state.account;
    switch (event.type) {
      case 'AccountProcessorConnected':
        return { status: 'open', account: { ...account, processorIds: [...account.processorIds, event.data.processor_id] } };
      case 'AccountDefaultProcessorChanged':
        return { status: 'open', account: { ...account, defaultProcessorId: event.data.processor_id } };
    }
  },
};

/**
 * A token's own stream (`account_token-<sha256>`) maps it to its account; only the SHA-256 of a
 * token is ever stored, the token itself is shown once. Appending with expected revision
 * 'no_stream' makes a token hash unique across all accounts.
 */
export type AccountTokenEvent = DomainEvent<'AccountTokenRegistered', { account_id: string; kind: AccountTokenKind; token_hash: string }>;
