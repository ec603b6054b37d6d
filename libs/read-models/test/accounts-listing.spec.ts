import { AccountSummary, accountsListing, listAccounts } from '@payments/read-models';
import { useProjectionFixture } from './projection-fixture';

describe('accounts listing', () => {
  const fixture = useProjectionFixture();
  const { append } = fixture;

  async function open(id: string, openedAt: string, sandbox = false): Promise<void> {
    await append(`account-${id}`, { type: 'AccountOpened', data: { account_id: id, name: `Shop ${id}`, sandbox, opened_at: openedAt } });
  }

  async function listed(page = { limit: 50, offset: 0 }) {
    await fixture.project(accountsListing);
    return listAccounts(fixture.readModels, page);
  }

  it('lists every opened account, newest first', async () => {
    await open('acc_old', '2024-01-01T00:00:00.000Z', true);
    await open('acc_new', '2024-06-01T00:00:00.000Z');
    await open('acc_mid', '2024-03-01T00:00:00.000Z');

    const page = await listed();

    expect(page.total).toBe(3);
    expect(page.items.map((account) => account.id)).toEqual(['acc_new', 'acc_mid', 'acc_old']);
    expect(page.items[2]).toEqual<AccountSummary>({ id: 'acc_old', name: 'Shop acc_old', sandbox: true, defaultProcessorId: null, defaultRouteId: null, createdAt: '2024-01-01T00:00:00.000Z' });
  });

  it('pages through the accounts', async () => {
    for (const day of ['01', '02', '03']) await open(`acc_${day}`, `2024-01-${day}T00:00:00.000Z`);

    expect(await listed({ limit: 2, offset: 1 })).toEqual({ items: [expect.objectContaining({ id: 'acc_02' }), expect.objectContaining({ id: 'acc_01' })], total: 3 });
  });

  it('shows the current default processor and keeps the account in its place', async () => {
    await open('acc_a', '2024-01-01T00:00:00.000Z');
    await open('acc_b', '2024-01-02T00:00:00.000Z');
    await append('account-acc_a', { type: 'AccountDefaultProcessorChanged', data: { account_id: 'acc_a', processor_id: 'proc_1' } });
    await append('account-acc_a', { type: 'AccountDefaultProcessorChanged', data: { account_id: 'acc_a', processor_id: null } });
    await append('account-acc_b', { type: 'AccountDefaultProcessorChanged', data: { account_id: 'acc_b', processor_id: 'proc_2' } });

    const page = await listed();

    expect(page.items.map((account) => [account.id, account.defaultProcessorId])).toEqual([
      ['acc_b', 'proc_2'],
      ['acc_a', null],
    ]);
  });

  it('shows the current default route', async () => {
    await open('acc_a', '2024-01-01T00:00:00.000Z');
    await append('account-acc_a', { type: 'AccountDefaultRouteChanged', data: { account_id: 'acc_a', route_id: 'proute_1' } });
    await append('account-acc_a', { type: 'AccountDefaultRouteChanged', data: { account_id: 'acc_a', route_id: 'proute_2' } });

    expect((await listed()).items.map((account) => account.defaultRouteId)).toEqual(['proute_2']);
  });

  it('ignores other events and changes to accounts it never saw open', async () => {
    await append('account-acc_ghost', { type: 'AccountDefaultProcessorChanged', data: { account_id: 'acc_ghost', processor_id: 'proc_1' } });
    await append('processor-proc_1', { type: 'ProcessorConnected', data: { processor_id: 'proc_1' } });

    expect(await listed()).toEqual({ items: [], total: 0 });
  });
});
