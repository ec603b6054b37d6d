import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { conflict, invalid, notFound } from '../shared/errors';
import { assertNoErrors, nameErrors } from '../shared/validation';

export const MAX_ACCOUNT_NAME_LENGTH = 200;

export type AccountTokenKind = 'secret' | 'publishable';

export type AccountEvent =
  | DomainEvent<'AccountOpened', { account_id: string; name: string; sandbox: boolean; opened_at: string }>
  | DomainEvent<'AccountProcessorConnected', { account_id: string; processor_id: string; connection_order: number }>
  | DomainEvent<'AccountDefaultProcessorChanged', { account_id: string; processor_id: string | null }>
  | DomainEvent<'AccountDefaultRouteChanged', { account_id: string; route_id: string | null }>;

export type AccountCommand =
  | { type: 'OpenAccount'; accountId: string; name: string; sandbox: boolean }
  | { type: 'RegisterProcessor'; accountId: string; processorId: string }
  /** `undefined` leaves the default as it is; `null` clears it. */
  | { type: 'SetDefaultProcessor'; accountId: string; processorId: string | null }
  /**
   * `null` clears the default route. `changesSeen` is `defaultRouteChanges` as the caller read it
   * along with the route it replaces, whose reference it releases afterwards: a change in between,
   * even one back to the same route, is a conflict (read again), never a release of the wrong
   * claim. The route stream checks the route itself.
   */
  | { type: 'SetDefaultRoute'; accountId: string; routeId: string | null; changesSeen: number };

export interface Account {
  id: string;
  name: string;
  sandbox: boolean;
  createdAt: string;
  /** Processor ids in connection order (connection_order = index + 1). */
  processorIds: string[];
  defaultProcessorId: string | null;
  /** Route of sessions that name none; the route's own stream holds the matching reference. */
  defaultRouteId: string | null;
  /** How many times the default route changed; SetDefaultRoute names the count its caller read. */
  defaultRouteChanges: number;
}

export type AccountState = { status: 'none' } | { status: 'open'; account: Account };

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState, DecisionContext> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state, { now }) {
    if (command.type === 'OpenAccount') {
      if (state.status === 'open') throw conflict(`account ${command.accountId} already exists`);
      assertNoErrors(nameErrors('name', command.name, MAX_ACCOUNT_NAME_LENGTH), 'account');
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
        assertDefaultProcessor(account, command.processorId);
        if (command.processorId === account.defaultProcessorId) return [];
        return [{ type: 'AccountDefaultProcessorChanged', data: { account_id: account.id, processor_id: command.processorId } }];
      case 'SetDefaultRoute':
        if (command.routeId === account.defaultRouteId) return [];
        if (command.changesSeen !== account.defaultRouteChanges) throw conflict(`the default route of account ${account.id} changed meanwhile`);
        return [{ type: 'AccountDefaultRouteChanged', data: { account_id: account.id, route_id: command.routeId } }];
    }
  },

  evolve(state, event) {
    if (event.type === 'AccountOpened') {
      const { account_id, name, sandbox, opened_at } = event.data;
      return { status: 'open', account: { id: account_id, name, sandbox, createdAt: opened_at, processorIds: [], defaultProcessorId: null, defaultRouteId: null, defaultRouteChanges: 0 } };
    }
    if (state.status === 'none') return state;
    const account = state.account;
    switch (event.type) {
      case 'AccountProcessorConnected':
        return { status: 'open', account: { ...account, processorIds: [...account.processorIds, event.data.processor_id] } };
      case 'AccountDefaultProcessorChanged':
        return { status: 'open', account: { ...account, defaultProcessorId: event.data.processor_id } };
      case 'AccountDefaultRouteChanged':
        return { status: 'open', account: { ...account, defaultRouteId: event.data.route_id, defaultRouteChanges: account.defaultRouteChanges + 1 } };
    }
  },
};

/**
 * Only a processor of the account can be its default (null clears it). Exported so that a change
 * of several defaults can be refused before any of them is written.
 */
export function assertDefaultProcessor(account: Account, processorId: string | null): void {
  if (processorId !== null && !account.processorIds.includes(processorId)) {
    throw invalid(`no processor ${processorId} on this account`, [{ field: 'default_processor_id', message: `unknown processor ${processorId}` }]);
  }
}

/**
 * A token's own stream (`account_token-<sha256>`) maps it to its account; only the SHA-256 of a
 * token is ever stored, the token itself is shown once. Appending with expected revision
 * 'no_stream' makes a token hash unique across all accounts.
 */
export type AccountTokenEvent = DomainEvent<'AccountTokenRegistered', { account_id: string; kind: AccountTokenKind; token_hash: string }>;
