import { allProjections } from '@payments/read-models';

describe('allProjections', () => {
  it('gives every projection its own name', () => {
    const names = allProjections.map((projection) => projection.name);

    expect(new Set(names).size).toBe(names.length);
  });

  it('gives every collection to one projection only, since a rebuild deletes its collections', () => {
    const collections = allProjections.flatMap((projection) => projection.collections);

    expect(new Set(collections).size).toBe(collections.length);
  });
});
