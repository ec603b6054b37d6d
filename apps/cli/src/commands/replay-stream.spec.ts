import { MemoryEventStore, randomEventId } from '@payments/event-store';
import { replayStream } from './replay-stream';

describe('replayStream', () => {
  let events: MemoryEventStore;
  let lines: string[];
  const out = async (line: string) => void lines.push(line);

  beforeEach(() => {
    events = new MemoryEventStore();
    lines = [];
  });

  afterEach(() => events.close());

  it('prints the stream event by event in revision order, with data and metadata', async () => {
    await events.appendToStream('payment-pay_1', [{ id: randomEventId(), type: 'PaymentStarted', data: { amount: 100 }, metadata: { schema_version: 1 } }], { expectedRevision: 'no_stream' });
    await events.appendToStream('other-x', [{ id: randomEventId(), type: 'Unrelated', data: {}, metadata: { schema_version: 1 } }], { expectedRevision: 'no_stream' });
    await events.appendToStream('payment-pay_1', [{ id: randomEventId(), type: 'PaymentSucceeded', data: { tier: 0 }, metadata: { schema_version: 1 } }], { expectedRevision: 0n });

    await replayStream(events, 'payment-pay_1', out);

    expect(lines).toEqual([
      expect.stringMatching(/^#0 PaymentStarted \(position 1, .*Z, id .+\)$/),
      '  data:     {"amount":100}',
      '  metadata: {"schema_version":1}',
      expect.stringMatching(/^#1 PaymentSucceeded \(position 3, /),
      '  data:     {"tier":0}',
      '  metadata: {"schema_version":1}',
      '2 events in payment-pay_1',
    ]);
  });

  it('fails for a stream with no events', async () => {
    await expect(replayStream(events, 'payment-nope', out)).rejects.toThrow('stream payment-nope has no events');
  });
});
