import { describe, expect, it } from 'vitest';
import { paginate } from '#local-cloud/services/ivs/pagination';

describe('IVS list pagination', () => {
  const items = Array.from({ length: 5 }, (_, i) => i);

  it('returns everything in one page when it fits, without a nextToken', () => {
    expect(paginate(items, {})).toEqual({ page: items });
  });

  it('walks pages with maxResults and nextToken', () => {
    const first = paginate(items, { maxResults: 2 });
    expect(first.page).toEqual([0, 1]);
    const second = paginate(items, { maxResults: 2, nextToken: first.nextToken });
    expect(second.page).toEqual([2, 3]);
    const third = paginate(items, { maxResults: 2, nextToken: second.nextToken });
    expect(third).toEqual({ page: [4] });
  });

  it('refuses an invalid nextToken and an out-of-range maxResults', () => {
    expect(() => paginate(items, { nextToken: 'garbage' })).toThrow(/nextToken/);
    expect(() => paginate(items, { maxResults: 0 })).toThrow(/maxResults/);
    expect(() => paginate(items, { maxResults: 101 })).toThrow(/maxResults/);
  });
});
