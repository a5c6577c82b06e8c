import { describe, expect, it } from 'vitest';
import { lastLines } from '#controller/browser/chromium-launcher';

describe('lastLines', () => {
  it("keeps Chromium's last lines on one line, without its D-Bus noise", () => {
    const said = [
      '[1:2:ERROR:dbus/bus.cc:405] Failed to connect to the bus: Failed to connect to socket',
      'first',
      '',
      'second',
      '[1:2:FATAL:content/browser/x.cc:9] third',
      '[1:2:ERROR:dbus/bus.cc:405] Failed to connect to the bus: Could not parse server address',
    ].join('\n');
    expect(lastLines(said)).toBe('first | second | [1:2:FATAL:content/browser/x.cc:9] third');
    expect(lastLines(said, 1)).toBe('[1:2:FATAL:content/browser/x.cc:9] third');
  });

  it('keeps the end of a long text, and nothing of an empty one', () => {
    expect(lastLines('x'.repeat(1000), 3, 10)).toBe('x'.repeat(10));
    expect(lastLines('')).toBe('');
  });
});
