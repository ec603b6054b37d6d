import { RouteCommand, RouteEvent, routeDecider } from '@payments/domain/route';
import { deciderSpecification } from './decider-specification';

const now = new Date('2026-11-21T10:00:00.000Z');
const spec = deciderSpecification(routeDecider, { now });
const accountId = 'acc_stg_a';
const routeId = 'proute_stg_r';
const accountProcessors = [{ id: 'proc_stg_a' }, { id: 'proc_stg_b' }];

const definition = {
  name: 'US Optimized',
  processors: [
    { processor_id: 'proc_stg_a', split: null },
    { processor_id: 'proc_stg_b', split: null },
  ],
  strategy: 'priority' as const,
  rules: [],
  failover: { on: ['decline' as const, 'timeout' as const, 'error' as const], decline_codes: null, max_attempts: null },
  optimized_retry: false,
  auth_rate: null,
};
const created: RouteEvent = { type: 'RouteCreated', data: { route_id: routeId, account_id: accountId, ...definition, revision: 1, created_at: now.toISOString() } };
const attached = (sessionId: string): RouteEvent => ({ type: 'RouteAttachedToSession', data: { route_id: routeId, session_id: sessionId } });
const detached = (sessionId: string): RouteEvent => ({ type: 'RouteDetachedFromSession', data: { route_id: routeId, session_id: sessionId } });
const setAsDefault: RouteEvent = { type: 'RouteSetAsAccountDefault', data: { route_id: routeId, account_id: accountId } };
const unsetAsDefault: RouteEvent = { type: 'RouteUnsetAsAccountDefault', data: { route_id: routeId, account_id: accountId } };
const deleted: RouteEvent = { type: 'RouteDeleted', data: { route_id: routeId, deleted_at: now.toISOString() } };

const update = (changes: Extract<RouteCommand, { type: 'UpdateRoute' }>['changes'], account = accountId): RouteCommand => ({
  type: 'UpdateRoute',
  routeId,
  accountId: account,
  changes,
  accountProcessors,
});
const attach = (sessionId: string, account = accountId): RouteCommand => ({ type: 'AttachRouteToSession', routeId, accountId: account, sessionId });
const detach = (sessionId: string): RouteCommand => ({ type: 'DetachRouteFromSession', routeId, accountId, sessionId });
const remove: RouteCommand = { type: 'DeleteRoute', routeId, accountId };
const unsetDefault = (claimsSeen: number): RouteCommand => ({ type: 'UnsetRouteAsAccountDefault', routeId, accountId, claimsSeen });

describe('route decider', () => {
  describe('creating', () => {
    it('creates a route at revision 1 with the defaults filled in', () => {
      spec
        .given([])
        .when({
          type: 'CreateRoute',
          routeId,
          accountId,
          definition: { name: 'US Optimized', processors: [{ processor_id: 'proc_stg_a' }, { processor_id: 'proc_stg_b' }] },
          accountProcessors,
        })
        .then([created]);
    });

    it('refuses an invalid definition with its field errors', () => {
      const error = spec
        .given([])
        .when({ type: 'CreateRoute', routeId, accountId, definition: { name: 'r', processors: [{ processor_id: 'proc_stg_other' }] }, accountProcessors })
        .thenThrows('invalid');
      expect(error.errors).toEqual([{ field: 'processors[0].processor_id', message: 'unknown processor proc_stg_other' }]);
    });

    it('refuses to create a route that exists', () => {
      spec.given([created]).when({ type: 'CreateRoute', routeId, accountId, definition, accountProcessors }).thenThrows('conflict');
    });
  });

  describe('updating', () => {
    it('records only the changed fields and increments the revision', () => {
      spec
        .given([created])
        .when(update({ name: 'US Optimized', optimized_retry: true }))
        .then([{ type: 'RouteUpdated', data: { route_id: routeId, changes: { optimized_retry: true }, revision: 2, updated_at: now.toISOString() } }]);
    });

    it('counts revisions from the last update', () => {
      const renamed: RouteEvent = { type: 'RouteUpdated', data: { route_id: routeId, changes: { name: 'B' }, revision: 2, updated_at: now.toISOString() } };
      spec
        .given([created, renamed])
        .when(update({ name: 'C' }))
        .then([{ type: 'RouteUpdated', data: { route_id: routeId, changes: { name: 'C' }, revision: 3, updated_at: now.toISOString() } }]);
    });

    it('does not count references as revisions', () => {
      spec
        .given([created, attached('cs_stg_1'), setAsDefault, detached('cs_stg_1')])
        .when(update({ name: 'B' }))
        .then([{ type: 'RouteUpdated', data: { route_id: routeId, changes: { name: 'B' }, revision: 2, updated_at: now.toISOString() } }]);
    });

    it('records nothing for a patch that changes nothing', () => {
      spec.given([created]).when(update({ name: 'US Optimized', strategy: 'priority' })).then([]);
    });

    it('replaces a failover it is given whole, defaulting what it leaves out', () => {
      const withCodes: RouteEvent = {
        type: 'RouteUpdated',
        data: { route_id: routeId, changes: { failover: { on: ['decline'], decline_codes: ['05'], max_attempts: 2 } }, revision: 2, updated_at: now.toISOString() },
      };
      spec
        .given([created, withCodes])
        .when(update({ failover: { max_attempts: 3 } }))
        .then([
          {
            type: 'RouteUpdated',
            data: {
              route_id: routeId,
              changes: { failover: { on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: 3 } },
              revision: 3,
              updated_at: now.toISOString(),
            },
          },
        ]);
    });

    it('validates the definition the patch leads to', () => {
      const error = spec.given([created]).when(update({ strategy: 'volume_split' })).thenThrows('invalid');
      expect(error.errors.map((e) => e.field)).toEqual(['processors[0].split', 'processors[1].split']);
    });

    it('switches to volume_split when the same patch gives the splits', () => {
      const processors = [
        { processor_id: 'proc_stg_a', split: 80 },
        { processor_id: 'proc_stg_b', split: 20 },
      ];
      spec
        .given([created])
        .when(update({ strategy: 'volume_split', processors }))
        .then([{ type: 'RouteUpdated', data: { route_id: routeId, changes: { processors, strategy: 'volume_split' }, revision: 2, updated_at: now.toISOString() } }]);
    });

    it('keeps a rule that names a processor the patch drops from the default list', () => {
      const rules = [{ conditions: [{ field: 'currency' as const, operator: 'equal' as const, value: 'EUR' }], processors: [{ processor_id: 'proc_stg_b' }] }];
      const ruleBased: RouteEvent = {
        type: 'RouteUpdated',
        data: { route_id: routeId, changes: { strategy: 'rule_based', rules }, revision: 2, updated_at: now.toISOString() },
      };
      const processors = [{ processor_id: 'proc_stg_a', split: null }];
      spec
        .given([created, ruleBased])
        .when(update({ processors: [{ processor_id: 'proc_stg_a' }] }))
        .then([{ type: 'RouteUpdated', data: { route_id: routeId, changes: { processors }, revision: 3, updated_at: now.toISOString() } }]);
    });

    it("hides another account's route and a deleted route", () => {
      spec.given([created]).when(update({ name: 'x' }, 'acc_stg_b')).thenThrows('not_found');
      spec.given([created, deleted]).when(update({ name: 'x' })).thenThrows('not_found');
      spec.given([]).when(update({ name: 'x' })).thenThrows('not_found');
    });
  });

  describe('references', () => {
    it('attaches a session once', () => {
      spec.given([created]).when(attach('cs_stg_1')).then([attached('cs_stg_1')]);
      spec.given([created, attached('cs_stg_1')]).when(attach('cs_stg_1')).then([]);
    });

    it('refuses to attach a deleted, missing or foreign route as an unknown route', () => {
      spec.given([created, deleted]).when(attach('cs_stg_1')).thenThrows('invalid', /unknown route proute_stg_r/);
      spec.given([]).when(attach('cs_stg_1')).thenThrows('invalid');
      spec.given([created]).when(attach('cs_stg_1', 'acc_stg_b')).thenThrows('invalid');
    });

    it('detaches an attached session and ignores one that is not attached', () => {
      spec.given([created, attached('cs_stg_1')]).when(detach('cs_stg_1')).then([detached('cs_stg_1')]);
      spec.given([created, attached('cs_stg_1'), detached('cs_stg_1')]).when(detach('cs_stg_1')).then([]);
      spec.given([created, deleted]).when(detach('cs_stg_1')).then([]);
    });

    it('records every setting as account default, since each is a claim a concurrent release must see', () => {
      spec.given([created]).when({ type: 'SetRouteAsAccountDefault', routeId, accountId }).then([setAsDefault]);
      spec.given([created, setAsDefault]).when({ type: 'SetRouteAsAccountDefault', routeId, accountId }).then([setAsDefault]);
    });

    it('unsets the account default when no claim came after the one the release saw', () => {
      spec.given([created, setAsDefault]).when(unsetDefault(1)).then([unsetAsDefault]);
      spec.given([created]).when(unsetDefault(0)).then([]);
      spec.given([created, setAsDefault, unsetAsDefault]).when(unsetDefault(1)).then([]);
    });

    it('keeps the route the account default when it was set again after the release read it', () => {
      spec.given([created, setAsDefault, setAsDefault]).when(unsetDefault(1)).then([]);
    });

    it('refuses a deleted route as account default', () => {
      spec.given([created, deleted]).when({ type: 'SetRouteAsAccountDefault', routeId, accountId }).thenThrows('invalid');
    });
  });

  describe('deleting', () => {
    it('deletes a route nothing references', () => {
      spec.given([created]).when(remove).then([deleted]);
      spec.given([created, attached('cs_stg_1'), detached('cs_stg_1')]).when(remove).then([deleted]);
    });

    it('refuses to delete a route an open session references, naming the session', () => {
      spec.given([created, attached('cs_stg_1')]).when(remove).thenThrows('conflict', /^route proute_stg_r is still referenced by checkout session cs_stg_1$/);
    });

    it('names three referencing sessions and counts the rest', () => {
      const sessions = ['cs_stg_1', 'cs_stg_2', 'cs_stg_3', 'cs_stg_4', 'cs_stg_5'].map(attached);
      spec
        .given([created, ...sessions])
        .when(remove)
        .thenThrows('conflict', /by checkout sessions cs_stg_1, cs_stg_2, cs_stg_3 and 2 more$/);
    });

    it('refuses to delete the account default route', () => {
      spec.given([created, setAsDefault]).when(remove).thenThrows('conflict', /referenced by the account default$/);
      spec.given([created, attached('cs_stg_1'), setAsDefault]).when(remove).thenThrows('conflict', /checkout session cs_stg_1 and by the account default$/);
    });

    it('deletes a route once it is no longer the account default', () => {
      spec.given([created, setAsDefault, unsetAsDefault]).when(remove).then([deleted]);
    });

    it('does not delete a route twice', () => {
      spec.given([created, deleted]).when(remove).thenThrows('not_found');
    });
  });
});

describe("the routing document's example: visa to stripe, mastercard to adyen, default [stripe]", () => {
  const stripe = 'proc_stg_stripe';
  const adyen = 'proc_stg_adyen';
  const documentRoute = {
    name: 'Card brand routing',
    processors: [{ processor_id: stripe }],
    strategy: 'rule_based' as const,
    rules: [
      { conditions: [{ field: 'card_network' as const, operator: 'equal' as const, value: 'visa' }], processors: [{ processor_id: stripe }] },
      { conditions: [{ field: 'card_network' as const, operator: 'equal' as const, value: 'mastercard' }], processors: [{ processor_id: adyen }] },
    ],
  };
  const create = (accountProcessors: { id: string }[]): RouteCommand => ({ type: 'CreateRoute', routeId, accountId, definition: documentRoute, accountProcessors });

  it('given no route, when the example is created on an account with both processors, then it is recorded as written', () => {
    spec
      .given([])
      .when(create([{ id: stripe }, { id: adyen }]))
      .then([
        {
          type: 'RouteCreated',
          data: {
            route_id: routeId,
            account_id: accountId,
            ...documentRoute,
            processors: [{ processor_id: stripe, split: null }],
            failover: { on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: null },
            optimized_retry: false,
            auth_rate: null,
            revision: 1,
            created_at: now.toISOString(),
          },
        },
      ]);
  });

  it('given no route, when the account has no adyen, then the rule naming it is refused at its position', () => {
    const error = spec.given([]).when(create([{ id: stripe }])).thenThrows('invalid');
    expect(error.errors).toEqual([{ field: 'rules[1].processors[0].processor_id', message: `unknown processor ${adyen}` }]);
  });
});
