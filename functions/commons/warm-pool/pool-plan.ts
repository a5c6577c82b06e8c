/**
 * The warm pool's decisions as plain functions of its records, the pool tasks ECS runs and the time: which
 * idle controllers a start may claim, and what a refill does (forget the dead, retire the old and the extra,
 * start the missing). No AWS calls here: warm-pool-repository.ts and actions/warm-pool.ts do them.
 */
import {
  WARM_CONTROLLER_CLAIM_MARGIN_SECONDS,
  WARM_CONTROLLER_FRESH_SECONDS,
  WARM_CONTROLLER_LIFETIME_SECONDS,
  WARM_CONTROLLER_START_LIMIT_SECONDS,
  WARM_CONTROLLER_UNRECORDED_SECONDS,
  type WarmControllerRecord,
} from '#contract/index';

const ms = (iso: string | undefined): number => (iso === undefined ? Number.NaN : Date.parse(iso));

/** Whether an idle controller may be claimed now: IDLE, seen recently, with time left before its lifetime ends. */
export function isClaimable(record: WarmControllerRecord, now: Date): boolean {
  if (record.state !== 'IDLE') return false;
  const seen = ms(record.seenAt);
  if (!(seen >= now.getTime() - WARM_CONTROLLER_FRESH_SECONDS * 1000)) return false;
  const retiresAt = ms(record.startedAt) + WARM_CONTROLLER_LIFETIME_SECONDS * 1000;
  return retiresAt - WARM_CONTROLLER_CLAIM_MARGIN_SECONDS * 1000 > now.getTime();
}

/** The controllers a start tries, in order: claimable ones, the oldest first (the nearest to retiring). */
export function claimCandidates(records: readonly WarmControllerRecord[], now: Date): WarmControllerRecord[] {
  return records.filter((record) => isClaimable(record, now)).sort((a, b) => ms(a.startedAt) - ms(b.startedAt));
}

/** The controllers already claimed for this start of a session (a retried StartController answers a live one again). */
export function claimedFor(records: readonly WarmControllerRecord[], sessionId: string, generation: number): WarmControllerRecord[] {
  return records.filter((r) => r.state === 'CLAIMED' && r.assignment?.sessionId === sessionId && r.assignment.generation === generation);
}

/** The pool controllers claimed for a session, whatever the start (Teardown stops them with the session). */
export function claimedForSession(records: readonly WarmControllerRecord[], sessionId: string): WarmControllerRecord[] {
  return records.filter((r) => r.assignment?.sessionId === sessionId);
}

export interface RefillPlan {
  /**
   * Records whose task ECS no longer runs: deleted (a dead controller is never claimed). A claimed one whose
   * session still names it (`stillNamed`) is kept: its STOPPED event finds the session through this record.
   */
  forget: string[];
  /** Idle or starting controllers to stop: past their lifetime, stuck starting, or more than the pool's size. */
  retire: string[];
  /** How many new pool controllers to run. */
  start: number;
  /**
   * Pool tasks ECS runs that have no record: started by a refill that failed before recording them (and was
   * retried: Lambda retries a failed asynchronous invocation twice). Recorded STARTING now and counted, so a
   * retried refill neither starts a second controller for the same place nor leaves the first one running
   * unseen; one beyond the pool's size is then retired like any other.
   */
  adopt: string[];
}

/**
 * What a refill does. `running` are the pool tasks ECS lists as running (startedBy WARM_POOL_STARTED_BY,
 * claimed ones included); `stillNamed` the claimed controllers whose session, still active, names them as its
 * controller (see stoppedClaimsToRead). The pool counts the STARTING and IDLE controllers that run (or were
 * started moments ago) and are not retired; the youngest are kept when there are more than `size`.
 */
export function planRefill(input: {
  records: readonly WarmControllerRecord[];
  running: ReadonlySet<string>;
  stillNamed?: ReadonlySet<string>;
  size: number;
  now: Date;
}): RefillPlan {
  const { records, running, size, now } = input;
  const stillNamed = input.stillNamed ?? new Set<string>();
  const forget: string[] = [];
  const retire: string[] = [];
  const recorded = new Set(records.map((record) => record.taskArn));
  const adopt = [...running].filter((taskArn) => !recorded.has(taskArn));
  const kept: WarmControllerRecord[] = [];
  for (const record of records) {
    const age = now.getTime() - ms(record.startedAt);
    // ECS's ListTasks is eventually consistent: a task started moments ago may not be listed yet.
    const justStarted = record.state === 'STARTING' && age < WARM_CONTROLLER_UNRECORDED_SECONDS * 1000;
    if (!running.has(record.taskArn) && !justStarted) {
      if (!(record.state === 'CLAIMED' && stillNamed.has(record.taskArn))) forget.push(record.taskArn);
      continue;
    }
    if (record.state !== 'STARTING' && record.state !== 'IDLE') continue;
    const tooOld = !(age < WARM_CONTROLLER_LIFETIME_SECONDS * 1000);
    const stuck = record.state === 'STARTING' && !(age < WARM_CONTROLLER_START_LIMIT_SECONDS * 1000);
    if (tooOld || stuck) retire.push(record.taskArn);
    else kept.push(record);
  }
  // The youngest recorded controllers are kept first; adopted ones (in an unknown state) count after them.
  const counted = [...kept.sort((a, b) => ms(b.startedAt) - ms(a.startedAt)).map((r) => r.taskArn), ...adopt];
  const extra = counted.slice(Math.max(0, size));
  retire.push(...extra);
  return { forget, retire, start: Math.max(0, size - (counted.length - extra.length)), adopt };
}

/**
 * The claimed controllers ECS no longer runs, whose sessions a refill reads before it forgets them: until the
 * session moves on (its controller replaced, the session ended), the record is how controller-stopped finds
 * the session of the stopped task, whose STOPPED event may come after the refill.
 */
export function stoppedClaimsToRead(records: readonly WarmControllerRecord[], running: ReadonlySet<string>): WarmControllerRecord[] {
  return records.filter((record) => record.state === 'CLAIMED' && record.assignment && !running.has(record.taskArn));
}

/** The pool's size from its setting: a whole number from 0 to `max`. */
export function parsePoolSize(text: string | undefined, max: number): number {
  const size = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isInteger(size) || size < 0 || size > max) {
    throw new RangeError(`The warm pool's size must be a whole number from 0 to ${max} (got "${text ?? ''}")`);
  }
  return size;
}
