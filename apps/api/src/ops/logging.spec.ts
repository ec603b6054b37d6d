import { Writable } from 'node:stream';
import { pinoHttp } from 'pino-http';
import { httpLoggerOptions } from './logging';

function captureLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pinoHttp(httpLoggerOptions('info'), destination).logger, output: () => lines.join('') };
}

describe('the service logger', () => {
  it('writes JSON lines with a readable level and an ISO timestamp', () => {
    const { logger, output } = captureLogger();
    logger.info('started');
    expect(JSON.parse(output())).toMatchObject({ level: 'info', msg: 'started', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('masks card numbers and tokens in messages, objects and errors', () => {
    const { logger, output } = captureLogger();
    logger.info('charging 4242424242424242 for st_stg_abcdefghijklmnop1234');
    logger.warn({ card: { number: '5555555555554444', cvc: '123' } }, 'declined');
    logger.error(new Error('processor rejected 4000000000009995 with pt_stg_abcdefghijklmnop1234'));
    const text = output();
    for (const secret of ['4242424242424242', '5555555555554444', '4000000000009995', 'abcdefghijklmnop1234', '"123"']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('****4242');
    expect(text.trim().split('\n').map((line) => JSON.parse(line))).toHaveLength(3);
  });

  it('hides credential headers of any logged headers object', () => {
    const { logger, output } = captureLogger();
    logger.info({ outbound: { headers: { authorization: 'Basic c2VjcmV0', cookie: 'sid=1', 'idempotency-key': 'k1' } } }, 'calling processor');
    const line = JSON.parse(output());
    expect(line.outbound.headers).toEqual({ authorization: '[Redacted]', cookie: '[Redacted]', 'idempotency-key': 'k1' });
  });
});
