/**
 * IAM's wildcard matching: `*` matches any run of characters (including `:` and `/`), `?` any one character.
 * Actions compare case-insensitively, resources and condition values case-sensitively.
 */
const cache = new Map<string, RegExp>();

function toRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regexp = cache.get(cacheKey);
  if (!regexp) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    regexp = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    cache.set(cacheKey, regexp);
  }
  return regexp;
}

/** Whether `value` matches the IAM wildcard `pattern`. */
export function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  return toRegExp(pattern, ignoreCase).test(value);
}
