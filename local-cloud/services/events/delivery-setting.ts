/**
 * SHELCASTER_EVENT_DELIVERY, read and checked: how the local EventBridge delivers events. Unset (or empty), it
 * delivers as AWS does, at least once and in any order (AWS_LIKE_EVENT_DELIVERY); `exactly-once` delivers each
 * event once and at once (the test harness's default); JSON sets a duplicate rate (0 to 1) and a largest
 * delay (at most a minute).
 */
import type { DeliverySemantics } from './provider.ts';

export const EVENT_DELIVERY_ENV = 'SHELCASTER_EVENT_DELIVERY';

/** What `npm start` models unless told otherwise: a tenth of the events twice, each after up to 2 s. */
export const AWS_LIKE_EVENT_DELIVERY: DeliverySemantics = { duplicateRate: 0.1, maxDelayMs: 2000 };

/** The delivery the setting asks for (undefined: exactly once); throws with what is accepted on a bad value. */
export function eventDeliveryFromSetting(setting: string | undefined): DeliverySemantics | undefined {
  if (setting === undefined || setting.trim() === '') return AWS_LIKE_EVENT_DELIVERY;
  if (setting.trim() === 'exactly-once') return undefined;
  try {
    const { duplicateRate, maxDelayMs } = JSON.parse(setting) as { duplicateRate?: unknown; maxDelayMs?: unknown };
    if (typeof duplicateRate === 'number' && duplicateRate >= 0 && duplicateRate <= 1 && Number.isInteger(maxDelayMs) && (maxDelayMs as number) >= 0 && (maxDelayMs as number) <= 60_000) {
      return { duplicateRate, maxDelayMs: maxDelayMs as number };
    }
  } catch {
    // reported below
  }
  throw new Error(`${EVENT_DELIVERY_ENV} must be exactly-once or JSON {"duplicateRate": 0..1, "maxDelayMs": 0..60000} (got "${setting}")`);
}
