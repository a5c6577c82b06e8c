/** Checked reads of the environment: a missing variable fails the cold start, not a request. */

/** Error thrown when a required environment variable is missing or empty. */
export class MissingEnvironmentVariableError extends Error {
  constructor(public readonly variable: string) {
    super(`Environment variable ${variable} is not set`);
    this.name = 'MissingEnvironmentVariableError';
  }
}

/** Returns the value of a required environment variable; throws when it is missing or empty. */
export function getStringFromEnv(key: string): string {
  const value = process.env[key];
  if (value === undefined || value.trim() === '') throw new MissingEnvironmentVariableError(key);
  return value.trim();
}

/** Returns a required comma-separated environment variable as a list of non-empty items. */
export function getListFromEnv(key: string): string[] {
  const items = getStringFromEnv(key)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new MissingEnvironmentVariableError(key);
  return items;
}
