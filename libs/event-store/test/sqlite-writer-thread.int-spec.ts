import { join } from 'node:path';
import { WRITER_STOPPED, openSqliteWriter } from '@payments/event-store';

const ECHO_WRITER = join(__dirname, 'processes', 'echo-writer');

describe('the SQLite writer thread', () => {
  it('runs each writer’s writes with the options it was opened with, in the order sent', async () => {
    const first = openSqliteWriter<string, string>(ECHO_WRITER, { name: 'first' });
    const second = openSqliteWriter<string, string>(ECHO_WRITER, { name: 'second' });

    const answers = await Promise.all([first.write('a'), second.write('b'), first.write('c')]);

    const place = (answer: string) => Number(answer.split('#')[1]);
    expect(answers.map((answer) => answer.split('#')[0])).toEqual(['first:a:open', 'second:b:open', 'first:c:open']);
    expect(place(answers[1])).toBe(place(answers[0]) + 1);
    expect(place(answers[2])).toBe(place(answers[0]) + 2);
    await Promise.all([first.close(), second.close()]);
  });

  it('rejects with the error a write threw, keeping its name and code', async () => {
    const writer = openSqliteWriter<string, string>(ECHO_WRITER, { name: 'w' });

    const error = await writer.write('throw').catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({ name: 'AskedError', message: 'asked to throw', code: 'ASKED' });
    await expect(writer.write('after')).resolves.toMatch(/^w:after:open#/);
    await writer.close();
  });

  it('fails the writes in flight when the thread dies, and opens the writers again on a new one', async () => {
    const dying = openSqliteWriter<string, string>(ECHO_WRITER, { name: 'dying' });
    const other = openSqliteWriter<string, string>(ECHO_WRITER, { name: 'other' });
    await other.write('before');

    await expect(dying.write('exit')).rejects.toMatchObject({ message: expect.stringContaining('the SQLite writer thread stopped'), code: WRITER_STOPPED });

    await expect(other.write('after')).resolves.toMatch(/^other:after:open#/);
    await expect(dying.write('again')).resolves.toMatch(/^dying:again:open#/);
    await Promise.all([dying.close(), other.close()]);
  });

  it('refuses writes once a writer is closed', async () => {
    const writer = openSqliteWriter<string, string>(ECHO_WRITER, { name: 'w' });
    await writer.write('a');
    await writer.close();

    await expect(writer.write('b')).rejects.toThrow('the SQLite writer is closed');
  });

  it('answers each write of a writer that could not open with the reason', async () => {
    const writer = openSqliteWriter<string, string>(join(__dirname, 'processes', 'no-such-writer'), {});

    await expect(writer.write('a')).rejects.toThrow(/Cannot find module/);
    await writer.close();
  });
});
