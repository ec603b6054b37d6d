import { DomainError, RouteCommand, RouteState, routeDecider, streamName } from '@payments/domain';
import { SqliteEventStore, WrongExpectedRevision } from '@payments/event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggregateCache } from './aggregate-cache';
import { CommandRunner } from './command-runner';
import { loadAggregate } from './load-stream';

const clock = { now: () => new Date('2026-11-21T10:00:00.000Z') };
const accountId = 'acc_stg_a';
const routeId = 'proute_stg_r';
const stream = streamName('route', routeId);
const accountProcessors = [{ id: 'proc_stg_a' }, { id: 'proc_stg_b' }];

const create: RouteCommand = {
  type: 'CreateRoute',
  routeId,
  accountId,
  definition: { name: 'US Optimized', processors: [{ processor_id: 'proc_stg_a' }, { processor_id: 'proc_stg_b' }] },
  accountProcessors,
};
const attach = (sessionId: string): RouteCommand => ({ type: 'AttachRouteToSession', routeId, accountId, sessionId });
const detach = (sessionId: string): RouteCommand => ({ type: 'DetachRouteFromSession', routeId, accountId, sessionId });
const rename = (name: string): RouteCommand => ({ type: 'UpdateRoute', routeId, accountId, changes: { name }, accountProcessors });
const setAsDefault: RouteCommand = { type: 'SetRouteAsAccountDefault', routeId, accountId };
const unsetDefault = (claimsSeen: number): RouteCommand => ({ type: 'UnsetRouteAsAccountDefault', routeId, accountId, claimsSeen });
const remove: RouteCommand = { type: 'DeleteRoute', routeId, accountId };
const sessions = Array.from({ length: 30 }, (_, i) => `cs_stg_${i}`);

/** Who runs a step: this process, or another process writing the same file with a cache of its own. */
type Writer = 'this' | 'other';

/**
 * Every kind of route command: with events, with none, refused. A session count that only grows
 * makes a stale fold visible in `sessionIds`, the delete's message and the revisions.
 */
const steps: [Writer, RouteCommand][] = [
  ['this', create],
  ...sessions.map((id, i): [Writer, RouteCommand] => [i % 3 === 0 ? 'other' : 'this', attach(id)]),
  ['this', attach(sessions[0])],
  ['other', detach(sessions[5])],
  ['this', detach(sessions[5])],
  ['this', rename('EU Optimized')],
  ['other', setAsDefault],
  ['this', setAsDefault],
  ['this', remove],
  ['other', unsetDefault(1)],
  ['this', unsetDefault(2)],
  ...sessions.map((id, i): [Writer, RouteCommand] => [i % 2 === 0 ? 'other' : 'this', detach(id)]),
  ['this', remove],
  ['other', attach('cs_stg_late')],
  ['this', rename('Too late')],
];

describe('CommandRunner with an aggregate cache on SQLite', () => {
  const dirs: string[] = [];
  const stores: SqliteEventStore[] = [];

  /** A store on its own file, or a second connection to another store's file as another process has. */
  const openStore = (dataDir = mkdtempSync(join(tmpdir(), 'aggregate-cache-'))) => {
    if (!dirs.includes(dataDir)) dirs.push(dataDir);
    const store = new SqliteEventStore({ dataDir, pollIntervalMs: 10 });
    stores.push(store);
    return { store, dataDir };
  };

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('gives exactly the states, events and revisions it gives without the cache, over every kind of route command', async () => {
    const cachedFile = openStore();
    const cached: Record<Writer, CommandRunner> = {
      this: new CommandRunner(cachedFile.store, clock, new AggregateCache()),
      other: new CommandRunner(openStore(cachedFile.dataDir).store, clock, new AggregateCache()),
    };
    const plainFile = openStore();
    const plain: Record<Writer, CommandRunner> = {
      this: new CommandRunner(plainFile.store, clock),
      other: new CommandRunner(openStore(plainFile.dataDir).store, clock),
    };

    for (const [writer, command] of steps) {
      const withCache = await outcomeOf(cached[writer], command);
      expect(withCache).toEqual(await outcomeOf(plain[writer], command));
      const fullFold = (await loadAggregate(cachedFile.store, stream, routeDecider)).state;
      expect(await cached.this.load(stream, routeDecider)).toEqual(fullFold);
      expect(await cached.other.load(stream, routeDecider)).toEqual(fullFold);
    }
  });

  it('folds the same state as a full read after concurrent commands of two processes retried on conflicts', async () => {
    const file = openStore();
    const here = new CommandRunner(file.store, clock, new AggregateCache());
    const elsewhere = new CommandRunner(openStore(file.dataDir).store, clock, new AggregateCache());
    await here.run(stream, routeDecider, create);

    await Promise.all(sessions.map((id, i) => (i % 2 === 0 ? here : elsewhere).run(stream, routeDecider, attach(id), { retries: sessions.length })));
    await Promise.all(sessions.slice(0, 10).map((id, i) => (i % 2 === 0 ? elsewhere : here).run(stream, routeDecider, detach(id), { retries: sessions.length })));

    const { state, revision } = await loadAggregate(file.store, stream, routeDecider);
    expect(revision).toBe(BigInt(sessions.length + 10));
    expect(state.status === 'active' && [...state.route.sessionIds].sort()).toEqual(sessions.slice(10).sort());
    expect(await here.load(stream, routeDecider)).toEqual(state);
    expect(await elsewhere.load(stream, routeDecider)).toEqual(state);
  });
});

/**
 * Several processes, each with its own cache: a fold this process holds may be behind what
 * another process appended since. A command decided on such a fold (given as `current`, as the
 * saga does with the stream it just read) is refused by the store on its expected revision and
 * decided again on a fresh read; one decided through the cache reads the tail first.
 */
describe('a command on a fold another process has moved past', () => {
  let dataDir: string;
  const stores: SqliteEventStore[] = [];

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function twoProcesses() {
    dataDir = mkdtempSync(join(tmpdir(), 'aggregate-cache-stale-'));
    const open = () => {
      const store = new SqliteEventStore({ dataDir, pollIntervalMs: 10 });
      stores.push(store);
      return store;
    };
    const here = new CommandRunner(open(), clock, new AggregateCache());
    const elsewhere = new CommandRunner(open(), clock, new AggregateCache());
    await here.run(stream, routeDecider, create);
    // This process folds the stream (and caches it) before the other process attaches the session.
    const stale = await here.loadFolded(stream, routeDecider);
    await elsewhere.run(stream, routeDecider, attach('cs_stg_other'));
    return { here, elsewhere, stale };
  }

  it('gets WrongExpectedRevision for a decision on the stale fold, and is decided again on a fresh read', async () => {
    const { here, stale } = await twoProcesses();
    const appends = jest.spyOn(here.store, 'appendToStream');

    // Decided on the stale fold, the attach would append a second RouteAttachedToSession.
    const result = await here.run(stream, routeDecider, attach('cs_stg_other'), { current: stale, retries: 1 });

    expect(appends).toHaveBeenCalledTimes(1);
    await expect(appends.mock.results[0].value).rejects.toBeInstanceOf(WrongExpectedRevision);
    expect(result.events).toEqual([]);
    expect(result.revision).toBe(stale.revision + 1n);
    const { state } = await loadAggregate(here.store, stream, routeDecider);
    expect(state.status === 'active' && state.route.sessionIds).toEqual(['cs_stg_other']);
  });

  it('fails with WrongExpectedRevision when the command allows no retry, appending nothing', async () => {
    const { here, stale } = await twoProcesses();

    await expect(here.run(stream, routeDecider, attach('cs_stg_mine'), { current: stale, retries: 0 })).rejects.toBeInstanceOf(WrongExpectedRevision);

    expect((await loadAggregate(here.store, stream, routeDecider)).revision).toBe(stale.revision + 1n);
  });

  it('reads the other process’s events after its cached fold before deciding a command through the cache', async () => {
    const { here } = await twoProcesses();
    const appends = jest.spyOn(here.store, 'appendToStream');

    const result = await here.run(stream, routeDecider, detach('cs_stg_other'));

    expect(result.events.map((event) => event.type)).toEqual(['RouteDetachedFromSession']);
    expect(appends).toHaveBeenCalledTimes(1);
  });
});

/** What a command answered, or the domain error it was refused with. */
async function outcomeOf(runner: CommandRunner, command: RouteCommand): Promise<{ state: RouteState; events: unknown[]; revision: bigint } | { refused: string }> {
  try {
    const { state, events, revision } = await runner.run(stream, routeDecider, command);
    return { state, events, revision };
  } catch (error) {
    if (error instanceof DomainError) return { refused: `${error.kind}: ${error.message}` };
    throw error;
  }
}
