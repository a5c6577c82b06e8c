import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTROLLER_COMMAND } from '#controller/command';

/** The Dockerfile's instructions, continuation lines joined and comments dropped. */
function instructions(): { op: string; args: string }[] {
  const text = readFileSync(new URL('../../../controller/Dockerfile', import.meta.url), 'utf8');
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

describe('controller/Dockerfile', () => {
  const all = instructions();
  const of = (op: string) => all.filter((i) => i.op === op);

  it('builds on Debian slim with Node 22 taken from the official image', () => {
    expect(of('FROM').map((i) => i.args)).toEqual(['node:22-bookworm-slim AS node', 'debian:bookworm-slim']);
    expect(of('COPY').some((i) => i.args.startsWith('--from=node /usr/local/bin/node'))).toBe(true);
  });

  it('installs Chromium, ffmpeg and CA certificates from apt', () => {
    const apt = of('RUN').find((i) => i.args.includes('apt-get install'));
    expect(apt?.args).toMatch(/\bchromium\b/);
    expect(apt?.args).toMatch(/\bffmpeg\b/);
    expect(apt?.args).toMatch(/\bca-certificates\b/);
  });

  it('installs production dependencies only, from the lockfile', () => {
    expect(of('RUN').some((i) => /npm ci --omit=dev/.test(i.args))).toBe(true);
  });

  it('copies what the controller runs: its code, the contract and the browser code it shares with the console', () => {
    const copied = of('COPY').map((i) => i.args);
    for (const room of ['contract', 'stage-client', 'controller']) expect(copied).toContain(`${room} ./${room}`);
  });

  it('runs as a non-root user', () => {
    const users = of('USER').map((i) => i.args);
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    const last = all.findLastIndex((i) => i.op === 'USER');
    expect(all.findIndex((i, n) => n > last && i.op === 'RUN')).toBe(-1);
  });

  it('runs exactly the shared controller command', () => {
    const cmd = of('CMD');
    expect(cmd).toHaveLength(1);
    expect(JSON.parse(cmd[0]!.args)).toEqual(CONTROLLER_COMMAND);
    expect(CONTROLLER_COMMAND).toEqual(['node', '--import', 'tsx', 'controller/main.ts']);
  });
});
