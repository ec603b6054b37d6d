import { MemoryEventStore, randomEventId } from '@payments/event-store';
import { parse } from 'csv-parse/sync';
import { ExportOptions, exportEvents } from './export-events';

describe('exportEvents', () => {
  let events: MemoryEventStore;

  beforeEach(async () => {
    events = new MemoryEventStore();
    for (const [stream, type] of [['account-acc_a', 'AccountOpened'], ['processor-proc_b', 'ProcessorConnected'], ['account-acc_a', 'AccountDefaultProcessorChanged']]) {
      await events.appendToStream(stream, [{ id: randomEventId(), type, data: { n: 1 }, metadata: { schema_version: 1, account_id: 'acc_a' } }], { expectedRevision: 'any' });
    }
  });

  afterEach(() => events.close());

  async function written(options: ExportOptions): Promise<string[]> {
    const lines: string[] = [];
    await exportEvents(events, options, { out: async (line) => void lines.push(line) });
    return lines;
  }

  async function exported(options: ExportOptions) {
    return (await written(options)).map((line) => JSON.parse(line));
  }

  it("never writes a processor's signing secret", async () => {
    const http = { url: 'https://psp.example/authorize', secret: 'whsec_signing_secret_0001' };
    await events.appendToStream('processor-proc_c', [{ id: randomEventId(), type: 'ProcessorConnected', data: { processor_id: 'proc_c', http }, metadata: { schema_version: 1 } }], { expectedRevision: 'any' });
    await events.appendToStream('processor-proc_c', [{ id: randomEventId(), type: 'ProcessorUpdated', data: { processor_id: 'proc_c', changes: { http } }, metadata: { schema_version: 1 } }], { expectedRevision: 'any' });

    const lines = await exported({ after: 3n });

    expect(JSON.stringify(lines)).not.toContain(http.secret);
    expect(lines[0].data.http).toEqual({ url: http.url, secret: '[redacted]' });
    expect(lines[1].data.changes.http).toEqual({ url: http.url, secret: '[redacted]' });
  });

  it("never writes a webhook endpoint's signing secret or an account token's hash, not even in a stream name", async () => {
    const hash = 'ab'.repeat(32);
    await events.appendToStream(`account_token-${hash}`, [{ id: randomEventId(), type: 'AccountTokenRegistered', data: { account_id: 'acc_a', kind: 'secret', token_hash: hash }, metadata: { schema_version: 1 } }], { expectedRevision: 'no_stream' });
    await events.appendToStream('webhook_endpoint-we_a', [{ id: randomEventId(), type: 'WebhookEndpointCreated', data: { endpoint_id: 'we_a', secret: 'whsec_endpoint_secret_0001' }, metadata: { schema_version: 1 } }], { expectedRevision: 'no_stream' });

    for (const format of ['ndjson', 'csv'] as const) {
      const text = (await written({ after: 3n, format })).join('\n');
      expect(text).not.toContain(hash);
      expect(text).not.toContain('whsec_endpoint_secret_0001');
    }
    expect((await exported({ after: 3n })).map((line) => [line.stream, line.data.token_hash ?? line.data.secret])).toEqual([
      ['account_token-[redacted]', '[redacted]'],
      ['webhook_endpoint-we_a', '[redacted]'],
    ]);
  });

  it('writes every event as one JSON line in global order', async () => {
    const lines = await exported({});

    expect(lines.map((line) => [line.position, line.stream, line.revision, line.type])).toEqual([
      ['1', 'account-acc_a', '0', 'AccountOpened'],
      ['2', 'processor-proc_b', '0', 'ProcessorConnected'],
      ['3', 'account-acc_a', '1', 'AccountDefaultProcessorChanged'],
    ]);
    expect(lines[0]).toEqual({
      id: expect.any(String),
      stream: 'account-acc_a',
      type: 'AccountOpened',
      revision: '0',
      position: '1',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      data: { n: 1 },
      metadata: { schema_version: 1, account_id: 'acc_a' },
    });
  });

  it('starts after the given position and stops at the limit', async () => {
    expect((await exported({ after: 1n, limit: 1 })).map((line) => line.position)).toEqual(['2']);
  });

  it('writes only the events of the types asked for, the limit counting those alone', async () => {
    expect((await exported({ types: ['AccountDefaultProcessorChanged', 'ProcessorConnected'] })).map((line) => line.position)).toEqual(['2', '3']);
    expect((await exported({ types: ['AccountOpened', 'AccountDefaultProcessorChanged'], limit: 1 })).map((line) => line.type)).toEqual(['AccountOpened']);
  });

  it('writes CSV with a header, the fixed columns, and data as JSON that survives quoting', async () => {
    const data = { note: 'a "quoted", comma\nand a new line', http: { url: 'https://psp.example/a', secret: 'whsec_signing_secret_0002' } };
    await events.appendToStream('processor-proc_d', [{ id: randomEventId(), type: 'ProcessorConnected', data, metadata: { schema_version: 1 } }], { expectedRevision: 'any' });

    const lines = await written({ after: 3n, format: 'csv' });
    const [header, row] = parse(lines.join('\n'), { relax_column_count: false }) as string[][];

    expect(lines[0]).toBe('position,id,stream,revision,type,created_at,data,metadata');
    expect(header).toEqual(['position', 'id', 'stream', 'revision', 'type', 'created_at', 'data', 'metadata']);
    expect(row.slice(0, 5)).toEqual(['4', expect.any(String), 'processor-proc_d', '0', 'ProcessorConnected']);
    expect(JSON.parse(row[6])).toEqual({ ...data, http: { url: data.http.url, secret: '[redacted]' } });
    expect(JSON.parse(row[7])).toEqual({ schema_version: 1 });
    expect(lines.join('\n')).not.toContain(data.http.secret);
  });
});
