import { integerFromString } from './integer-from-string';
import { PaginationQuery } from './pagination';
import { RequestValidationPipe } from './request-validation.pipe';

describe('integerFromString', () => {
  it.each([
    ['0', 0],
    ['-12', -12],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('reads %j as the number %d', (text, number) => {
    expect(integerFromString(text)).toBe(number);
  });

  it.each([['1.5'], ['1e2'], [''], ['9007199254740993'], ['-9007199254740993'], ['99999999999999999999']])('leaves %j a string', (text) => {
    expect(integerFromString(text)).toBe(text);
  });

  // Found by the OpenAPI fuzz suite: GET /v1/customers?offset=9007199254740993 answered 500.
  it('makes an offset no number holds a 400, not a rounded offset', async () => {
    const parse = new RequestValidationPipe().transform({ offset: '9007199254740993' }, { type: 'query', metatype: PaginationQuery });
    await expect(parse).rejects.toMatchObject({ status: 400, extras: { errors: [expect.objectContaining({ field: 'offset' })] } });
  });
});
