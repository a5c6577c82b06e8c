/**
 * Real Chromium: closing a launched browser leaves nothing in the temp directory, also when its process
 * group was killed first (the full browser then cannot remove its singleton socket's directory itself; the
 * controller's headless shell makes none).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchChromium, singletonDirectory } from '#controller/browser/chromium-launcher';
import { killProcessGroup } from '#controller/browser/chromium-process';
import { eventually } from '#harness/eventually';
import { chromiumPath, USER_CHROMIUM_PATH } from '#harness/chromium';

describe('launchChromium, closed', () => {
  it("removes the profile and the singleton socket's directory of a full browser whose group was killed", async () => {
    const chromium = await launchChromium(USER_CHROMIUM_PATH);
    const userDataDir = chromium.userDataDir;
    const singleton = await eventually(() => singletonDirectory(userDataDir), 15_000, "Chromium's singleton socket");
    expect(existsSync(singleton)).toBe(true);
    killProcessGroup(chromium.pid);
    await chromium.close();
    expect(existsSync(userDataDir)).toBe(false);
    expect(existsSync(singleton)).toBe(false);
  });

  it("removes the profile of the controller's headless shell whose group was killed", async () => {
    const chromium = await launchChromium(chromiumPath());
    const userDataDir = chromium.userDataDir;
    expect(existsSync(userDataDir)).toBe(true);
    killProcessGroup(chromium.pid);
    await chromium.close();
    expect(existsSync(userDataDir)).toBe(false);
  });

  it('takes only a directory of the shape Chromium makes for the socket', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'singleton-'));
    try {
      await symlink('/somewhere/else/SingletonSocket', join(dir, 'SingletonSocket'));
      expect(await singletonDirectory(dir)).toBeUndefined();
      expect(await singletonDirectory(join(dir, 'missing'))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
