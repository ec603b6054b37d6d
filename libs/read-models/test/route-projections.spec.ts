import { findRoute, listRoutes, routeListing } from '@payments/read-models/projections/route-listing';
import { findRouteReferences, routeReferences } from '@payments/read-models/projections/route-references';
import { useProjectionFixture } from './projection-fixture';
import { appendRouteEvents, attached, created, definition, deleted, detached, setAsDefault, unsetAsDefault, updated } from './route-events';

const at = '2026-01-01T00:00:00.000Z';
const later = '2026-01-02T00:00:00.000Z';

describe('route projections', () => {
  const fixture = useProjectionFixture();
  const project = () => fixture.project(routeListing, routeReferences);

  async function listedIds(accountId: string, page = { limit: 50, offset: 0 }) {
    const { items, total } = await listRoutes(fixture.readModels, accountId, page);
    return { ids: items.map((route) => route.id), total };
  }

  describe('listing', () => {
    it("lists each account's routes newest first, by log order, even when they were created within one millisecond", async () => {
      await appendRouteEvents(fixture.events, [created('proute_b', 'acc_1', at), created('proute_x', 'acc_2', at), created('proute_a', 'acc_1', at), created('proute_c', 'acc_1', at)]);

      await project();

      expect(await listedIds('acc_1')).toEqual({ ids: ['proute_c', 'proute_a', 'proute_b'], total: 3 });
      expect(await listedIds('acc_1', { limit: 1, offset: 1 })).toEqual({ ids: ['proute_a'], total: 3 });
      expect(await listedIds('acc_2')).toEqual({ ids: ['proute_x'], total: 1 });
    });

    it('holds every field GET shows', async () => {
      await appendRouteEvents(fixture.events, [created('proute_a', 'acc_1', at)]);

      await project();

      expect(await findRoute(fixture.readModels, 'proute_a')).toEqual({ id: 'proute_a', accountId: 'acc_1', ...definition, revision: 1, createdAt: at, updatedAt: at });
    });

    it('shows a route as its last update left it, in its place in the listing', async () => {
      await appendRouteEvents(fixture.events, [
        created('proute_a', 'acc_1', at),
        created('proute_b', 'acc_1', at),
        updated('proute_a', { name: 'Renamed', optimized_retry: true }, 2, later),
        updated('proute_a', { strategy: 'cost_optimized' }, 3, later),
      ]);

      await project();

      expect(await findRoute(fixture.readModels, 'proute_a')).toMatchObject({ name: 'Renamed', optimized_retry: true, strategy: 'cost_optimized', revision: 3, createdAt: at, updatedAt: later });
      expect((await listedIds('acc_1')).ids).toEqual(['proute_b', 'proute_a']);
    });

    it('drops a deleted route', async () => {
      await appendRouteEvents(fixture.events, [created('proute_a', 'acc_1', at), created('proute_b', 'acc_1', at), deleted('proute_a', later)]);

      await project();

      expect(await findRoute(fixture.readModels, 'proute_a')).toBeUndefined();
      expect(await listedIds('acc_1')).toEqual({ ids: ['proute_b'], total: 1 });
    });
  });

  describe('reference counts', () => {
    it('counts attached sessions and the account default', async () => {
      await appendRouteEvents(fixture.events, [
        created('proute_a', 'acc_1', at),
        attached('proute_a', 'cs_1'),
        attached('proute_a', 'cs_2'),
        setAsDefault('proute_a', 'acc_1'),
        setAsDefault('proute_a', 'acc_1'),
        detached('proute_a', 'cs_1'),
      ]);

      await project();

      expect(await findRouteReferences(fixture.readModels, 'proute_a')).toEqual({ routeId: 'proute_a', checkoutSessions: 1, accountDefault: true });
    });

    it('starts from none and forgets a deleted route', async () => {
      await appendRouteEvents(fixture.events, [
        created('proute_a', 'acc_1', at),
        created('proute_b', 'acc_1', at),
        setAsDefault('proute_b', 'acc_1'),
        unsetAsDefault('proute_b', 'acc_1'),
        deleted('proute_b', later),
      ]);

      await project();

      expect(await findRouteReferences(fixture.readModels, 'proute_a')).toEqual({ routeId: 'proute_a', checkoutSessions: 0, accountDefault: false });
      expect(await findRouteReferences(fixture.readModels, 'proute_b')).toBeUndefined();
    });
  });

  it('ignores the events of other streams', async () => {
    await fixture.append('account-acc_1', { type: 'AccountOpened', data: { account_id: 'acc_1' } });

    await project();

    expect(await listedIds('acc_1')).toEqual({ ids: [], total: 0 });
  });
});
