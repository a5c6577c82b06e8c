import { describe, expect, it } from 'vitest';
import { callerLink, callerTokenOf, CONSOLE_PAGES } from '#contract/console';

describe('The caller link', () => {
  it('is the caller page with the participant token in the fragment, and gives the token back', () => {
    const token = 'eyJhbGciOiJFUzM4NCJ9.eyJqdGkiOiJhYmMifQ.c2ln-_';
    const link = callerLink('https://shows.example.com', token);
    expect(link).toBe(`https://shows.example.com/call#token=${token}`);
    const url = new URL(link);
    expect(CONSOLE_PAGES[url.pathname as keyof typeof CONSOLE_PAGES]).toBe('call.html');
    expect(url.search).toBe('');
    expect(callerTokenOf(url.hash)).toBe(token);
    expect(callerTokenOf('')).toBeUndefined();
  });
});
