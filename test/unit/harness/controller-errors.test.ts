import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROLLER_LOG_GROUP } from '#contract/index';
import { JOIN_RETRY_WARNING, RELAUNCH_WARNING } from '#controller/retry-warnings';
import { controllerErrors } from '#harness/controller-errors';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const events = (group: string, level: string, message: string) =>
  JSON.stringify({ t: 'events', group, stream: 's1', events: [{ timestamp: 0, message: JSON.stringify({ level, message }) }] });

describe('controllerErrors', () => {
  it("keeps the controllers' ERROR lines and retry WARNs only, and answers none without a journal", async () => {
    dir = await mkdtemp(join(tmpdir(), 'controller-errors-'));
    expect(await controllerErrors(dir)).toEqual([]);
    await mkdir(join(dir, 'logs'));
    const journal = [
      JSON.stringify({ t: 'group', meta: { name: CONTROLLER_LOG_GROUP } }),
      events(CONTROLLER_LOG_GROUP, 'INFO', 'Joined the stage and publishing'),
      events(CONTROLLER_LOG_GROUP, 'WARN', RELAUNCH_WARNING),
      events(CONTROLLER_LOG_GROUP, 'WARN', 'Reading the session record failed; starting without it'),
      events(CONTROLLER_LOG_GROUP, 'WARN', JOIN_RETRY_WARNING),
      events(CONTROLLER_LOG_GROUP, 'ERROR', 'The controller cannot join the stage'),
      events('/aws/lambda/shelcaster-teardown', 'ERROR', 'not a controller'),
    ];
    await writeFile(join(dir, 'logs', 'journal.jsonl'), `${journal.join('\n')}\n`);
    const lines = await controllerErrors(dir);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain(RELAUNCH_WARNING);
    expect(lines[1]).toContain(JOIN_RETRY_WARNING);
    expect(lines[2]).toContain('The controller cannot join the stage');
  });
});
