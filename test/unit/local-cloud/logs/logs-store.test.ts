import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';
import { LogsStore } from '#local-cloud/services/logs/store';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('LogsStore', () => {
  it('keeps a stream in timestamp order when events arrive out of order', () => {
    const store = new LogsStore(new ManualClock());
    store.append('g', 's', [{ timestamp: 20, message: 'b' }]);
    store.append('g', 's', [{ timestamp: 10, message: 'a' }]);
    expect(store.streamEvents('g', 's').map((e) => e.message)).toEqual(['a', 'b']);
  });

  it('drops events older than the retention period on read', async () => {
    const clock = new ManualClock();
    const store = new LogsStore(clock);
    store.append('g', 's', [{ timestamp: clock.now(), message: 'old' }]);
    store.setRetention('g', 1);
    await clock.advance(24 * 60 * 60 * 1000 + 1);
    store.append('g', 's', [{ timestamp: clock.now(), message: 'new' }]);
    expect(store.streamEvents('g', 's').map((e) => e.message)).toEqual(['new']);
  });

  it('refuses a retention AWS does not offer', () => {
    const store = new LogsStore(new ManualClock());
    store.createGroup('g');
    expect(() => store.setRetention('g', 2)).toThrow(/retentionInDays/);
  });

  it('finds groups, streams and events again after a restart, with fresh event ids continuing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-store-'));
    dirs.push(dir);
    const clock = new ManualClock();
    const before = new LogsStore(clock, dir);
    const t = clock.now();
    before.append('/ecs/x', 'task-1', [{ timestamp: t + 1, message: 'one' }, { timestamp: t + 2, message: 'two' }]);
    before.setRetention('/ecs/x', 30);
    before.createGroup('/gone');
    before.deleteGroup('/gone');
    const lastId = before.streamEvents('/ecs/x', 'task-1')[1]?.eventId ?? '';

    const after = new LogsStore(clock, dir);
    expect(after.listGroups().map((g) => [g.name, g.retentionInDays])).toEqual([['/ecs/x', 30]]);
    after.append('/ecs/x', 'task-1', [{ timestamp: t + 3, message: 'three' }]);
    const events = after.streamEvents('/ecs/x', 'task-1');
    expect(events.map((e) => e.message)).toEqual(['one', 'two', 'three']);
    expect((events[2]?.eventId ?? '') > lastId).toBe(true);
  });
});
