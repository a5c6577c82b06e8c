/**
 * `npm run token -- <userId>`: prints a bearer token for the local API of the local cloud whose data dir is
 * `SHELCASTER_DATA_DIR` (default `.shelcaster/`). The token is signed with the local issuer's key kept there,
 * for the issuer the running API server recorded (http://127.0.0.1:3000 by default).
 */
import { resolve } from 'node:path';
import { issueLocalToken } from './api/local-issuer.ts';

/** Default data dir of the local cloud. */
export const DEFAULT_DATA_DIR = '.shelcaster';

async function main(argv: readonly string[]): Promise<number> {
  const userId = argv[0];
  if (!userId || argv.length > 1 || userId.startsWith('-')) {
    process.stderr.write('Usage: npm run token -- <userId>\n');
    return 2;
  }
  const dataDir = resolve(process.env.SHELCASTER_DATA_DIR || DEFAULT_DATA_DIR);
  process.stdout.write(`${await issueLocalToken(userId, { dataDir })}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
