/**
 * The benchmark's command line: sample counts and durations of every figure (the counts by default,
 * small ones with --quick), which figures to run, and where the local cloud is.
 */

export interface BenchOptions {
  /** Sessions started one at a time and ended (start and end figures). */
  lifecycleSessions: number;
  /** Sessions started cold (no warm controller, Fargate's start-up modelled), one at a time. */
  coldStarts: number;
  /** Sessions started on a warm controller (Fargate's start-up modelled; each waits for the pool's refill), one at a time. */
  warmStarts: number;
  /** Commands sent for command → APPLIED, and the sessions they are spread over. */
  commands: number;
  commandSessions: number;
  /** PLAY_MEDIA commands whose tone is looked for in the recording; tones published for the floor. */
  audibleCommands: number;
  floorTones: number;
  /** PLAY_MEDIA beeps a caller's page listens for (caller hears the track). */
  callerBeeps: number;
  /** Turns of talk of a caller over a bed (a caller's voice → the bed ducks). */
  duckTurns: number;
  /** API under load: seconds, concurrent connections, sessions the commands go to. */
  loadSeconds: number;
  loadConnections: number;
  loadSessions: number;
  /** Controller footprint: seconds the CPU is measured while a track plays. */
  footprintSeconds: number;
  /** Shows at once: the most sessions added, and the seconds each step watches heartbeats. */
  showsCap: number;
  showsWatchSeconds: number;
  /** Controllers killed (SIGKILL) during live shows for the back-on-air figure (two per session). */
  recoveryKills: number;
  /** Seconds each of the DynamoDB and SQS outages of "faults survived" lasts. */
  faultOutageSeconds: number;
  /** PLAYs of the 60-minute MP3, and as many of the jingle, for PLAY → APPLIED. */
  playCommands: number;
  /** Signed requests put through the gateway's checks (browser door and SigV4 verification), in process. */
  gatewayRequests: number;
  /** Figures to run (ids); all when empty. */
  only: string[];
  quick: boolean;
  apiUrl: string;
  awsEndpoint: string;
  dataDir: string;
  /** Start a local cloud for the run even if one answers at apiUrl. */
  ownCloud: boolean;
  /** Write docs/benchmarks.md (off for --quick unless --docs). */
  writeDocs: boolean;
  /** When set, a local cloud started for the run writes V8 CPU profiles (every thread) into this directory. */
  profileDir: string | undefined;
}

/** The counts. */
export const FULL_RUN: Omit<BenchOptions, 'only' | 'quick' | 'apiUrl' | 'awsEndpoint' | 'dataDir' | 'ownCloud' | 'writeDocs' | 'profileDir'> = {
  lifecycleSessions: 50,
  coldStarts: 3,
  warmStarts: 4,
  commands: 300,
  commandSessions: 3,
  audibleCommands: 20,
  floorTones: 20,
  callerBeeps: 20,
  duckTurns: 10,
  loadSeconds: 30,
  loadConnections: 20,
  // 50 commands/s per session (the contract's rate limit): ≥ 500 accepted/s needs 10 sessions or more.
  loadSessions: 12,
  footprintSeconds: 15,
  showsCap: 12,
  showsWatchSeconds: 8,
  recoveryKills: 10,
  faultOutageSeconds: 30,
  playCommands: 30,
  gatewayRequests: 5000,
};

/** A smoke run for development. */
export const QUICK_RUN: typeof FULL_RUN = {
  lifecycleSessions: 3,
  coldStarts: 1,
  warmStarts: 2,
  commands: 24,
  commandSessions: 2,
  audibleCommands: 4,
  floorTones: 4,
  callerBeeps: 4,
  duckTurns: 3,
  loadSeconds: 5,
  loadConnections: 4,
  loadSessions: 2,
  footprintSeconds: 4,
  showsCap: 2,
  showsWatchSeconds: 6,
  recoveryKills: 2,
  faultOutageSeconds: 5,
  playCommands: 6,
  gatewayRequests: 500,
};

const NUMERIC: Record<string, keyof typeof FULL_RUN> = {
  'lifecycle-sessions': 'lifecycleSessions',
  'cold-starts': 'coldStarts',
  'warm-starts': 'warmStarts',
  commands: 'commands',
  'command-sessions': 'commandSessions',
  'audible-commands': 'audibleCommands',
  'floor-tones': 'floorTones',
  'caller-beeps': 'callerBeeps',
  'duck-turns': 'duckTurns',
  'load-seconds': 'loadSeconds',
  'load-connections': 'loadConnections',
  'load-sessions': 'loadSessions',
  'footprint-seconds': 'footprintSeconds',
  'shows-cap': 'showsCap',
  'shows-watch-seconds': 'showsWatchSeconds',
  'recovery-kills': 'recoveryKills',
  'fault-outage-seconds': 'faultOutageSeconds',
  'play-commands': 'playCommands',
  'gateway-requests': 'gatewayRequests',
};

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses `npm run bench -- [--quick] [--only=a,b] [--<count>=N] [--api=URL] [--aws=URL] [--data-dir=DIR] [--own-cloud] [--docs|--no-docs] [--profile-cloud=DIR]`. */
export function parseOptions(argv: readonly string[], env: Record<string, string | undefined> = {}): BenchOptions {
  const flags = new Map<string, string | true>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`Unknown argument ${arg}`);
    flags.set(match[1]!, match[2] ?? true);
  }
  const quick = flags.get('quick') === true;
  const counts = { ...(quick ? QUICK_RUN : FULL_RUN) };
  for (const [flag, value] of flags) {
    const key = NUMERIC[flag];
    if (!key) continue;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} needs a whole number ≥ 1`);
    counts[key] = n;
  }
  const known = new Set([...Object.keys(NUMERIC), 'quick', 'only', 'api', 'aws', 'data-dir', 'own-cloud', 'docs', 'no-docs', 'profile-cloud']);
  for (const flag of flags.keys()) if (!known.has(flag)) throw new UsageError(`Unknown option --${flag}`);
  const text = (flag: string) => {
    const value = flags.get(flag);
    if (value === true) throw new UsageError(`--${flag} needs a value`);
    return value;
  };
  const only = (text('only') ?? '').split(',').filter(Boolean);
  const writeDocs = flags.has('docs') ? true : flags.has('no-docs') ? false : !quick;
  return {
    ...counts,
    only,
    quick,
    apiUrl: text('api') ?? 'http://127.0.0.1:3000',
    awsEndpoint: text('aws') ?? 'http://127.0.0.1:4566',
    dataDir: text('data-dir') ?? env.SHELCASTER_DATA_DIR ?? '.shelcaster',
    ownCloud: flags.has('own-cloud'),
    writeDocs,
    profileDir: text('profile-cloud'),
  };
}
