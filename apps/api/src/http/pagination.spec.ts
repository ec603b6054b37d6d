import { PaginationQuery, toPage } from './pagination';
import { RequestValidationPipe } from './request-validation.pipe';

const pipe = new RequestValidationPipe();
const parse = (query: Record<string, unknown>) => pipe.transform(query, { type: 'query', metatype: PaginationQuery }) as Promise<PaginationQuery>;

describe('PaginationQuery', () => {
  it('defaults to the first 50 items', async () => {
    expect(await parse({})).toMatchObject({ limit: 50, offset: 0 });
  });

  it('accepts limit 1..100 and any offset from 0', async () => {
    expect(await parse({ limit: '1', offset: '0' })).toMatchObject({ limit: 1, offset: 0 });
    expect(await parse({ limit: '100', offset: '12345' })).toMatchObject({ limit: 100, offset: 12345 });
  });

  it.each([
    ['limit', '0'],
    ['limit', '101'],
    ['limit', '-1'],
    ['limit', '1.5'],
    ['limit', 'abc'],
    ['limit', ''],
    ['limit', '1e1'],
    ['limit', ['10', '20']],
    ['offset', '-1'],
    ['offset', 'abc'],
    ['offset', '0.5'],
  ])('answers 400 for %s=%j', async (name, value) => {
    await expect(parse({ [name]: value })).rejects.toMatchObject({ status: 400, extras: { errors: [expect.objectContaining({ field: name })] } });
  });
});

describe('toPage', () => {
  const query = Object.assign(new PaginationQuery(), { limit: 2, offset: 2 });

  it('has more while items remain after this page', () => {
    expect(toPage(['c', 'd'], 5, query)).toEqual({ items: ['c', 'd'], total: 5, has_more: true });
  });

  it('has no more on the last page', () => {
    expect(toPage(['c', 'd'], 4, query)).toEqual({ items: ['c', 'd'], total: 4, has_more: false });
  });
});
