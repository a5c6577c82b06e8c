import { describe, expect, it } from 'vitest';
import { AWS_LIKE_EVENT_DELIVERY, eventDeliveryFromSetting } from '#local-cloud/services/events/delivery-setting';

describe('SHELCASTER_EVENT_DELIVERY', () => {
  it('delivers as AWS does when unset or empty (npm start)', () => {
    expect(eventDeliveryFromSetting(undefined)).toEqual(AWS_LIKE_EVENT_DELIVERY);
    expect(eventDeliveryFromSetting('  ')).toEqual(AWS_LIKE_EVENT_DELIVERY);
    expect(AWS_LIKE_EVENT_DELIVERY.duplicateRate).toBeGreaterThan(0);
  });

  it('delivers each event once and at once when asked', () => {
    expect(eventDeliveryFromSetting('exactly-once')).toBeUndefined();
  });

  it('takes a duplicate rate and a largest delay', () => {
    expect(eventDeliveryFromSetting('{"duplicateRate": 0.5, "maxDelayMs": 3000}')).toEqual({ duplicateRate: 0.5, maxDelayMs: 3000 });
  });

  it.each(['sometimes', '{"duplicateRate": 2, "maxDelayMs": 0}', '{"duplicateRate": 0.1, "maxDelayMs": 61000}', '{"duplicateRate": 0.1}'])('refuses %s, saying what it accepts', (setting) => {
    expect(() => eventDeliveryFromSetting(setting)).toThrow(/exactly-once or JSON/);
  });
});
