import { DomainError, Route } from '@payments/domain';
import { findRoute } from '@payments/read-models/projections/route-listing';
import { findRouteReferences } from '@payments/read-models/projections/route-references';
import { CreateRoute, DeleteRoute, RouteChange, RouteReferences } from '@payments/orchestration';
import { RoutesService, metadata, openAccountWithProcessors, startRoutesService, streamTypes } from './routes-service';

describe('route references', () => {
  let service: RoutesService;
  let accountId: string;
  let processorIds: string[];

  beforeAll(async () => {
    service = await startRoutesService();
    ({ accountId, processorIds } = await openAccountWithProcessors(service.commands, 2));
  });
  afterAll(() => service.close());

  const createRoute = async (name = 'R', account = accountId, processorId = processorIds[0]): Promise<Route> =>
    (await service.commands.execute<CreateRoute, RouteChange>(new CreateRoute(account, { name, processors: [{ processor_id: processorId }] }, metadata))).route;
  const attach = (routeId: string, sessionId: string) => service.module.get(RouteReferences).attach(accountId, routeId, sessionId, metadata);
  const detach = (routeId: string, sessionId: string) => service.module.get(RouteReferences).detach(accountId, routeId, sessionId, metadata);
  const remove = (routeId: string) => service.commands.execute<DeleteRoute, RouteChange>(new DeleteRoute(accountId, routeId, metadata));

  async function referencesOf(routeId: string, position: bigint | undefined) {
    if (position !== undefined) expect(await service.projections.waitFor(position)).toBe(true);
    return findRouteReferences(service.readModels, routeId);
  }

  it('deleting a route and attaching it to a new session cannot both succeed', async () => {
    const winners = { delete: 0, attach: 0 };
    for (let round = 0; round < 50; round++) {
      const route = await createRoute(`Race ${round}`);
      const sessionId = `cs_stg_race${round}`;
      // Started in the same tick, in alternating order, so that either may be first to append.
      const [deleted, attached] =
        round % 2 === 0 ? await Promise.allSettled([remove(route.id), attach(route.id, sessionId)]) : (await Promise.allSettled([attach(route.id, sessionId), remove(route.id)])).reverse();

      const types = await streamTypes(service.events, `route-${route.id}`);
      if (deleted.status === 'fulfilled') {
        winners.delete++;
        expect(attached).toEqual({ status: 'rejected', reason: expect.objectContaining({ kind: 'invalid', message: `unknown route ${route.id}` }) });
        expect(types).toEqual(['RouteCreated', 'RouteDeleted']);
      } else {
        winners.attach++;
        expect(attached.status).toBe('fulfilled');
        expect(deleted.reason).toBeInstanceOf(DomainError);
        expect(deleted.reason).toMatchObject({ kind: 'conflict', message: `route ${route.id} is still referenced by checkout session ${sessionId}` });
        expect(types).toEqual(['RouteCreated', 'RouteAttachedToSession']);
      }
    }
    expect(winners.delete + winners.attach).toBe(50);
    expect(winners.delete).toBeGreaterThan(0);
    expect(winners.attach).toBeGreaterThan(0);
  });

  it('counts an attached session as a reference that blocks a delete, naming the session, until it detaches', async () => {
    const route = await createRoute();

    const attached = await attach(route.id, 'cs_stg_one');
    const again = await attach(route.id, 'cs_stg_one');

    expect(again.position).toBeUndefined();
    expect(await referencesOf(route.id, attached.position)).toEqual({ routeId: route.id, checkoutSessions: 1, accountDefault: false });
    await expect(remove(route.id)).rejects.toMatchObject({ kind: 'conflict', message: expect.stringContaining('checkout session cs_stg_one') });

    const detached = await detach(route.id, 'cs_stg_one');
    expect(await referencesOf(route.id, detached.position)).toEqual({ routeId: route.id, checkoutSessions: 0, accountDefault: false });
    const deleted = await remove(route.id);
    expect(await referencesOf(route.id, deleted.position)).toBeUndefined();
    expect(await findRoute(service.readModels, route.id)).toBeUndefined();
  });

  it('counts every attached session until each detaches', async () => {
    const route = await createRoute();

    const attached = await Promise.all(['cs_stg_a', 'cs_stg_b', 'cs_stg_c'].map((sessionId) => attach(route.id, sessionId)));
    const positions = attached.map((change) => change.position ?? 0n);
    const last = positions.reduce((a, b) => (a > b ? a : b));
    expect(await referencesOf(route.id, last)).toMatchObject({ checkoutSessions: 3 });

    const detached = await detach(route.id, 'cs_stg_b');
    expect(await referencesOf(route.id, detached.position)).toMatchObject({ checkoutSessions: 2 });
    await expect(remove(route.id)).rejects.toMatchObject({ kind: 'conflict', message: expect.stringMatching(/checkout sessions cs_stg_a, cs_stg_c$/) });
  });

  it('refuses to attach a session to a route that is unknown, deleted or of another account, as an unknown route', async () => {
    const deleted = await createRoute();
    await remove(deleted.id);
    const other = await openAccountWithProcessors(service.commands, 1);
    const foreign = await createRoute('Theirs', other.accountId, other.processorIds[0]);

    for (const routeId of ['proute_stg_nope', deleted.id, foreign.id]) {
      await expect(attach(routeId, 'cs_stg_x')).rejects.toMatchObject({ kind: 'invalid', message: `unknown route ${routeId}` });
    }
  });

  it('records nothing when a session detaches from a deleted route or one it never attached to', async () => {
    const route = await createRoute();
    expect((await detach(route.id, 'cs_stg_never')).position).toBeUndefined();
    await remove(route.id);

    expect((await detach(route.id, 'cs_stg_never')).position).toBeUndefined();
  });
});
