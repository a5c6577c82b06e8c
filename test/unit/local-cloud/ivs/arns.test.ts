import { describe, expect, it } from 'vitest';
import { ivsArn, newIvsId, parseIvsArn } from '#local-cloud/services/ivs/arns';

describe('IVS ids and ARNs', () => {
  it('makes 12-character ids of letters and digits, different each time', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newIvsId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9]{12}$/);
  });

  it('spells ARNs as IVS does and reads them back', () => {
    const arn = ivsArn('us-east-1', 'storage-configuration', 'abcDEF123456');
    expect(arn).toBe('arn:aws:ivs:us-east-1:000000000000:storage-configuration/abcDEF123456');
    expect(parseIvsArn(arn)).toEqual({ region: 'us-east-1', type: 'storage-configuration', id: 'abcDEF123456' });
  });

  it('does not read ARNs of other services or resource types', () => {
    expect(parseIvsArn('arn:aws:ivs:us-east-1:000000000000:channel/abc')).toBeUndefined();
    expect(parseIvsArn('arn:aws:s3:::bucket')).toBeUndefined();
    expect(parseIvsArn('arn:aws:ivs:us-east-1:000000000000:stage/')).toBeUndefined();
  });
});
