import { ProblemException } from './problem-details';
import { assertSafeBodyShape } from './body-shape';

function refusal(body: unknown): ProblemException | undefined {
  try {
    assertSafeBodyShape(body);
    return undefined;
  } catch (error) {
    return error as ProblemException;
  }
}

describe('assertSafeBodyShape', () => {
  it('takes an ordinary body with fractions, zero and large numbers', () => {
    expect(refusal({ fees: { percent: 2.9, fixed: 0 }, amount: 1e21, rate: -0.000001, list: [0, 1.5] })).toBeUndefined();
  });

  // Found by the OpenAPI fuzz suite: POST /v1/processors with fees.percent 4e-323 answered 500 (class-validator#1705).
  it.each([[1e-7], [-4e-323], [5e-324]])('refuses %d, which class-validator cannot count the decimals of, with 400 naming the field', (tiny) => {
    const problem = refusal({ name: 'p', fees: { percent: tiny, fixed: 30 }, rules: [{ value: [1, tiny] }] });
    expect(problem?.kind).toBe('bad_request');
    expect(problem?.extras.errors).toEqual(
      expect.arrayContaining([
        { field: 'fees.percent', message: 'is a number with more than 6 decimal places' },
        { field: 'rules[0].value[1]', message: 'is a number with more than 6 decimal places' },
      ]),
    );
  });
});
