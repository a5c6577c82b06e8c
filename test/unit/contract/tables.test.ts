import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_TABLE, keyAttributesOf, SESSIONS_TABLE, TABLES } from '#contract/index';

describe('Contract: tables', () => {
  it('defines every key attribute of a table once, indexes included', () => {
    expect(keyAttributesOf(SESSIONS_TABLE)).toEqual([
      { name: 'pk', type: 'S' },
      { name: 'sk', type: 'S' },
      { name: 'hostId', type: 'S' },
      { name: 'createdAt', type: 'S' },
    ]);
    expect(keyAttributesOf(IDEMPOTENCY_TABLE)).toEqual([{ name: 'id', type: 'S' }]);
  });

  it('names each table once', () => {
    expect(new Set(TABLES.map((table) => table.tableName)).size).toBe(TABLES.length);
  });
});
