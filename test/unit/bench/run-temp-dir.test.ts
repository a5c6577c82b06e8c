import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('../../../bench/run-temp-dir.ts', import.meta.url));

describe("a benchmark run's temp directory", () => {
  it('is TMPDIR for the run and what it starts, and is gone when the run exits, even by process.exit', () => {
    const script = `
      import { writeFileSync } from 'node:fs';
      import { execFileSync } from 'node:child_process';
      import { useRunTempDirectory } from ${JSON.stringify(MODULE)};
      const dir = useRunTempDirectory();
      writeFileSync(dir + '/left-by-a-killed-browser', 'x');
      const childSees = execFileSync(process.execPath, ['-p', 'require("node:os").tmpdir()'], { encoding: 'utf8' }).trim();
      console.log(JSON.stringify({ dir, childSees }));
      process.exit(3);
    `;
    let output = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    } catch (error) {
      output = (error as { stdout: string; status: number }).stdout;
      expect((error as { status: number }).status).toBe(3);
    }
    const { dir, childSees } = JSON.parse(output) as { dir: string; childSees: string };
    expect(childSees).toBe(dir);
    expect(existsSync(dir)).toBe(false);
  });
});
