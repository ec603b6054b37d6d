import { accountDecider, routeDecider, streamName } from '@payments/domain';
import { AccountDefaultsSet, CreateRoute, DeleteRoute, RouteChange, SetAccountDefaults } from '@payments/orchestration';
import { RoutesService, metadata, openAccountWithProcessors, startRoutesService } from './routes-service';

describe('the account default route', () => {
  let service: RoutesService;
  let accountId: string;
  let processorIds: string[];

  beforeEach(async () => {
    service = await startRoutesService();
    ({ accountId, processorIds } = await openAccountWithProcessors(service.commands, 1));
  });
  afterEach(() => service.close());

  const createRoute = async (name: string): Promise<string> =>
    (await service.commands.execute<CreateRoute, RouteChange>(new CreateRoute(accountId, { name, processors: [{ processor_id: processorIds[0] }] }, metadata))).route.id;
  const setDefault = (routeId: string | null) => service.commands.execute<SetAccountDefaults, AccountDefaultsSet>(new SetAccountDefaults(accountId, { routeId }, metadata));
  const remove = (routeId: string) => service.commands.execute<DeleteRoute, RouteChange>(new DeleteRoute(accountId, routeId, metadata));
  const defaultRouteId = async () => {
    const state = await service.runner.load(streamName('account', accountId), accountDecider);
    return state.status === 'open' ? state.account.defaultRouteId : undefined;
  };
  const isReferencedAsDefault = async (routeId: string) => {
    const state = await service.runner.load(streamName('route', routeId), routeDecider);
    return state.status === 'active' && state.route.isAccountDefault;
  };

  it('keeps the default route referenced through concurrent changes, so it cannot be deleted', async () => {
    const routeIds = await Promise.all(['A', 'B', 'C', 'D'].map(createRoute));
    for (let round = 0; round < 20; round++) {
      const targets = [...routeIds.slice(round % 4), ...routeIds.slice(0, round % 4), round % 3 === 0 ? null : routeIds[round % 4]];

      const results = await Promise.allSettled(targets.map(setDefault));

      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      const current = await defaultRouteId();
      if (current === null || current === undefined) continue;
      expect(await isReferencedAsDefault(current)).toBe(true);
      await expect(remove(current)).rejects.toMatchObject({ kind: 'conflict', message: expect.stringContaining('the account default') });
    }
  });

  it('does not let a late release undo a newer change back to the same route', async () => {
    const [first, second] = [await createRoute('First'), await createRoute('Second')];
    await setDefault(first);
    const firstState = await service.runner.load(streamName('route', first), routeDecider);
    const claimsSeen = firstState.status === 'active' ? firstState.route.accountDefaultClaims : -1;
    // A change to `second`, stopped before its last step (releasing `first`)...
    await service.runner.run(streamName('route', second), routeDecider, { type: 'SetRouteAsAccountDefault', routeId: second, accountId }, { metadata });
    await service.runner.run(streamName('account', accountId), accountDecider, { type: 'SetDefaultRoute', accountId, routeId: second, changesSeen: 1 }, { metadata });
    // ...while another change brings `first` back as the default.
    await setDefault(first);

    await service.runner.run(streamName('route', first), routeDecider, { type: 'UnsetRouteAsAccountDefault', routeId: first, accountId, claimsSeen }, { metadata });

    expect(await defaultRouteId()).toBe(first);
    expect(await isReferencedAsDefault(first)).toBe(true);
  });

  it('releases the previous default route once the change is done', async () => {
    const [first, second] = [await createRoute('First'), await createRoute('Second')];

    await setDefault(first);
    const moved = await setDefault(second);

    expect(moved.account.defaultRouteId).toBe(second);
    expect(await isReferencedAsDefault(first)).toBe(false);
    expect(await isReferencedAsDefault(second)).toBe(true);
    expect((await remove(first)).route.id).toBe(first);
  });

  it('leaves an extra reference, never a missing one, after a crash between claiming the new route and changing the account', async () => {
    const routeId = await createRoute('Claimed');
    await service.runner.run(streamName('route', routeId), routeDecider, { type: 'SetRouteAsAccountDefault', routeId, accountId }, { metadata });

    await expect(remove(routeId)).rejects.toMatchObject({ kind: 'conflict' });
    expect(await defaultRouteId()).toBeNull();

    await setDefault(routeId);
    await setDefault(null);
    expect(await isReferencedAsDefault(routeId)).toBe(false);
    await remove(routeId);
  });

  it('leaves an extra reference, never a missing one, after a crash between changing the account and releasing the previous route', async () => {
    const [previous, next] = [await createRoute('Previous'), await createRoute('Next')];
    await setDefault(previous);
    await service.runner.run(streamName('route', next), routeDecider, { type: 'SetRouteAsAccountDefault', routeId: next, accountId }, { metadata });
    await service.runner.run(streamName('account', accountId), accountDecider, { type: 'SetDefaultRoute', accountId, routeId: next, changesSeen: 1 }, { metadata });

    expect(await defaultRouteId()).toBe(next);
    expect(await isReferencedAsDefault(next)).toBe(true);
    await expect(remove(previous)).rejects.toMatchObject({ kind: 'conflict' });

    await setDefault(previous);
    await setDefault(next);
    await remove(previous);
  });
});
