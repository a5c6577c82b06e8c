/** List pagination as IVS's List* operations do it: `maxResults` (1..100) and an opaque `nextToken`. */
import { ivsError } from './rest-json.ts';
import { optionalInteger, optionalString, type Json } from './validation.ts';

/** IVS's default and largest page. */
export const MAX_PAGE_SIZE = 100;

/** One page of items, sorted by the caller, and the token of the next page when there is one. */
export function paginate<T>(items: readonly T[], body: Json): { page: T[]; nextToken?: string } {
  const maxResults = optionalInteger(body, 'maxResults', 1, MAX_PAGE_SIZE) ?? MAX_PAGE_SIZE;
  const token = optionalString(body, 'nextToken', { max: 1024 });
  let offset = 0;
  if (token !== undefined && token !== '') {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^offset:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0 || !Buffer.from(token, 'base64url').toString('utf8').startsWith('offset:')) {
      throw ivsError('ValidationException', 'nextToken is not valid');
    }
    offset = decoded;
  }
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return next < items.length ? { page, nextToken: Buffer.from(`offset:${next}`).toString('base64url') } : { page };
}
