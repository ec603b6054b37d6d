import { AccountCommand, AccountEvent, accountDecider } from '@payments/domain';
import { deciderSpecification } from './decider-specification';

const now = new Date('2026-11-21T10:00:00.000Z');
const spec = deciderSpecification(accountDecider, { now });
const opened: AccountEvent = { type: 'AccountOpened', data: { account_id: 'acc_stg_a', name: 'Shop', sandbox: false, opened_at: now.toISOString() } };
const connected = (processorId: string, order: number): AccountEvent => ({
  type: 'AccountProcessorConnected',
  data: { account_id: 'acc_stg_a', processor_id: processorId, connection_order: order },
});

const routeChanged = (routeId: string | null): AccountEvent => ({ type: 'AccountDefaultRouteChanged', data: { account_id: 'acc_stg_a', route_id: routeId } });
const setDefaultRoute = (routeId: string | null, changesSeen: number): AccountCommand => ({ type: 'SetDefaultRoute', accountId: 'acc_stg_a', routeId, changesSeen });

describe('account decider', () => {
  it('opens an account once', () => {
    spec.given([]).when({ type: 'OpenAccount', accountId: 'acc_stg_a', name: 'Shop', sandbox: false }).then([opened]);
    spec.given([opened]).when({ type: 'OpenAccount', accountId: 'acc_stg_a', name: 'Shop', sandbox: false }).thenThrows('conflict');
  });

  it('makes the first connected processor the default processor', () => {
    spec
      .given([opened])
      .when({ type: 'RegisterProcessor', accountId: 'acc_stg_a', processorId: 'proc_stg_1' })
      .then([connected('proc_stg_1', 1), { type: 'AccountDefaultProcessorChanged', data: { account_id: 'acc_stg_a', processor_id: 'proc_stg_1' } }]);
  });

  it('numbers later processors in connection order without changing the default', () => {
    spec.given([opened, connected('proc_stg_1', 1)]).when({ type: 'RegisterProcessor', accountId: 'acc_stg_a', processorId: 'proc_stg_2' }).then([connected('proc_stg_2', 2)]);
  });

  it('records nothing when a processor is registered again', () => {
    spec.given([opened, connected('proc_stg_1', 1)]).when({ type: 'RegisterProcessor', accountId: 'acc_stg_a', processorId: 'proc_stg_1' }).then([]);
  });

  it('refuses a default processor the account does not have', () => {
    spec.given([opened]).when({ type: 'SetDefaultProcessor', accountId: 'acc_stg_a', processorId: 'proc_stg_x' }).thenThrows('invalid', /proc_stg_x/);
  });

  it('clears the default processor with null', () => {
    spec
      .given([opened, connected('proc_stg_1', 1), { type: 'AccountDefaultProcessorChanged', data: { account_id: 'acc_stg_a', processor_id: 'proc_stg_1' } }])
      .when({ type: 'SetDefaultProcessor', accountId: 'acc_stg_a', processorId: null })
      .then([{ type: 'AccountDefaultProcessorChanged', data: { account_id: 'acc_stg_a', processor_id: null } }]);
  });

  it('sets, changes and clears the default route', () => {
    spec.given([opened]).when(setDefaultRoute('proute_stg_1', 0)).then([routeChanged('proute_stg_1')]);
    spec.given([opened, routeChanged('proute_stg_1')]).when(setDefaultRoute('proute_stg_2', 1)).then([routeChanged('proute_stg_2')]);
    spec.given([opened, routeChanged('proute_stg_1')]).when(setDefaultRoute(null, 1)).then([routeChanged(null)]);
  });

  it('records nothing when the default route is already the one asked for', () => {
    spec.given([opened, routeChanged('proute_stg_1')]).when(setDefaultRoute('proute_stg_1', 0)).then([]);
  });

  it('refuses a default route change when another one came after the caller read the account, even back to the same route', () => {
    spec.given([opened, routeChanged('proute_stg_3')]).when(setDefaultRoute('proute_stg_2', 0)).thenThrows('conflict', /changed meanwhile/);
    spec.given([opened, routeChanged('proute_stg_1'), routeChanged(null)]).when(setDefaultRoute('proute_stg_2', 0)).thenThrows('conflict', /changed meanwhile/);
  });

  it('does not act on an account that does not exist', () => {
    spec.given([]).when({ type: 'RegisterProcessor', accountId: 'acc_stg_a', processorId: 'proc_stg_1' }).thenThrows('not_found');
  });
});
