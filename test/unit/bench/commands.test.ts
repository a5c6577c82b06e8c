import { describe, expect, it } from 'vitest';
import { commandsFigure } from '#bench/figures/commands';
import type { SentCommand } from '#bench/client';

const applied = (i: number): SentCommand => ({ commandId: `c${i}`, type: 'SET_VOLUME', postedAt: 1000 * i, acceptedAt: 1000 * i + 10, appliedAt: 1000 * i + 40, status: 'APPLIED' });
const notApplied = (figure: ReturnType<typeof commandsFigure>) => figure.checks.find((c) => c.name === 'commands not applied');

describe('the command → APPLIED figure', () => {
  it('counts the commands sent and not applied, not those the time budget kept from being sent', () => {
    const sent = [applied(1), applied(2), applied(3)];
    expect(notApplied(commandsFigure(sent, ['stopped after 3 commands: the run reached its time budget'], 300, 3, 3, 10))).toMatchObject({ value: 0, pass: true });
  });

  it('counts a command FAILED, and one whose POST was refused, as not applied', () => {
    const failed: SentCommand = { ...applied(2), status: 'FAILED', reason: 'x' };
    delete failed.appliedAt;
    expect(notApplied(commandsFigure([applied(1), failed], ['SET_VOLUME FAILED', 'SET_VOLUME: POST command answered 500'], 3, 3, 1, 10))).toMatchObject({ value: 2, pass: false });
  });
});
