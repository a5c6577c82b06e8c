import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // A loaded 2-core machine runs a CDK synth or a Chromium start several times slower than an idle one.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll waits for something asynchronous (a process writing a log line, a status changing); its
    // default of 1 s is shorter than a process start on a loaded 2-core machine.
    expect: { poll: { timeout: 15_000, interval: 50 } },
    // Two cores: integration suites start real processes; keep them from piling up.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
