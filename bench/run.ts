/**
 * `npm run bench`: measures the local cloud as `npm start` runs it (issue 7's figures), writes
 * bench/results/<date>.json and .svg, and updates docs/benchmarks.md. Loopback only; bounded in count and
 * time; leaves nothing running (every session it starts is ended; a local cloud it started is stopped).
 *   npm run bench                 the issue's counts
 *   npm run bench -- --quick      a small smoke run (results under bench/results/quick/, docs untouched)
 *   npm run bench -- --only=start,commands --commands=100 ...   see bench/options.ts
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchContext } from './client.ts';
import { failedFigure, type Figure } from './figure.ts';
import { describeMachine } from './machine.ts';
import { parseOptions, UsageError, type BenchOptions } from './options.ts';
import { renderPlot } from './plot.ts';
import { writeResults, type RunResult } from './report.ts';
import { targetCloud } from './target-cloud.ts';
import { lifecycleFigures } from './figures/lifecycle.ts';
import { coldStartFigure } from './figures/cold-start.ts';
import { warmStartFigures } from './figures/warm-start.ts';
import { commandAndFootprintFigures } from './figures/commands-step.ts';
import { audibleFigures } from './figures/audible.ts';
import { callerFigures } from './figures/caller.ts';
import { duckingFigures } from './figures/ducking.ts';
import { showsAndLoadFigures } from './figures/shows-and-load.ts';
import { recoveryFigures } from './figures/recovery.ts';
import { faultsFigures } from './figures/faults.ts';
import { playFigure } from './figures/play.ts';
import { gatewayChecksFigure } from './figures/gateway-checks.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** The whole run must finish within this (issue 7: under 15 minutes). */
const RUN_BUDGET_MS = 15 * 60 * 1000;
/** After this, loops stop adding work (and say so), leaving time to end sessions and stop the cloud. */
const SOFT_BUDGET_MS = 13.5 * 60 * 1000;

const log = (line: string) => process.stdout.write(`${line}\n`);

/** A step of the run: the figures it produces, and its share of the run's budget. */
interface Step {
  ids: string[];
  titles: string[];
  /**
   * Minutes of the soft budget this step may take: its loops stop adding work past them, so a slow step
   * cannot leave a later one without time (every run measures every figure). The shares add up to the soft
   * budget.
   */
  shareMinutes: number;
  run(ctx: BenchContext, options: BenchOptions): Promise<Figure[]>;
}

const STEPS: Step[] = [
  {
    ids: ['start', 'end', 'join'],
    titles: ['start: POST /sessions → LIVE', 'end: DELETE → ENDED, and leaks', 'controller process start → joined and publishing'],
    shareMinutes: 2,
    run: (ctx, o) => lifecycleFigures(ctx, o.lifecycleSessions, log),
  },
  {
    ids: ['cold-start'],
    titles: ["cold start: POST /sessions → LIVE, no warm controller, Fargate's start-up modelled"],
    shareMinutes: 1.5,
    run: async (ctx, o) => [await coldStartFigure(ctx.runId, o.coldStarts, log)],
  },
  {
    ids: ['warm-start', 'pool-refill'],
    titles: ["warm start: POST /sessions → LIVE with a warm controller, Fargate's start-up modelled", 'pool refill: a claim → the next warm controller idle'],
    shareMinutes: 2.5,
    run: (ctx, o) => warmStartFigures(ctx.runId, o.warmStarts, log),
  },
  {
    ids: ['commands', 'footprint'],
    titles: ['command → APPLIED', 'controller footprint'],
    shareMinutes: 2,
    run: (ctx, o) => commandAndFootprintFigures(ctx, { commands: o.commands, sessions: o.commandSessions, footprintSeconds: o.footprintSeconds }, log),
  },
  {
    ids: ['audible', 'floor'],
    titles: ['command → audible in the composition', 'the floor: tone published straight to the stage'],
    shareMinutes: 1.5,
    run: (ctx, o) => audibleFigures(ctx, { commands: o.audibleCommands, floorTones: o.floorTones }, log),
  },
  {
    ids: ['caller'],
    titles: ['caller hears the track'],
    run: (ctx, o) => callerFigures(ctx, o.callerBeeps, log),
    shareMinutes: 1,
  },
  {
    ids: ['duck'],
    titles: ["a caller's voice → the bed ducks"],
    run: (ctx, o) => duckingFigures(ctx, o.duckTurns, log),
    shareMinutes: 1,
  },
  {
    ids: ['play'],
    titles: ['PLAY → APPLIED: 60-minute MP3 and 2-second jingle'],
    shareMinutes: 1,
    run: async (ctx, o) => [await playFigure(ctx, o.playCommands, log)],
  },
  {
    ids: ['recovery'],
    titles: ['controller killed → back on air (issue 8)'],
    shareMinutes: 2,
    run: (ctx, o) => recoveryFigures(ctx, o.recoveryKills, log),
  },
  {
    // Each fault runs once whatever the budget (its figures are counts); the outages' length is the option.
    ids: ['faults'],
    titles: ['faults survived: DynamoDB and SQS outages, Lambda throttled, controller killed, local cloud restarted'],
    shareMinutes: 4,
    run: (ctx, o) => faultsFigures(ctx.runId, { outageSeconds: o.faultOutageSeconds }, log),
  },
  {
    ids: ['gateway'],
    titles: ['gateway checks per request'],
    shareMinutes: 0.5,
    run: async (_ctx, o) => [await gatewayChecksFigure(o.gatewayRequests, log)],
  },
  {
    ids: ['shows', 'load'],
    titles: ['shows at once', 'API under load'],
    shareMinutes: 4.5,
    run: (ctx, o) => showsAndLoadFigures(ctx, { ...o, only: o.only }, log),
  },
];

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(argv, process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const startedAt = new Date();
  const cloud = await targetCloud({ ...options, compositionQuota: Math.max(options.showsCap, options.loadSessions) + 2 });
  log(
    cloud.origin === 'running'
      ? `Benchmarking the running local cloud: API ${cloud.apiUrl}, AWS ${cloud.awsEndpoint}, data ${cloud.dataDir}`
      : `Nothing answered at ${options.apiUrl}: started a local cloud for this run (API ${cloud.apiUrl}, AWS ${cloud.awsEndpoint}); it is stopped at the end`,
  );
  const ctx = new BenchContext(cloud, randomBytes(3).toString('hex'));
  const softEnd = startedAt.getTime() + SOFT_BUDGET_MS;
  const figures: Figure[] = [];
  const interrupted = (signal: string) => {
    process.stderr.write(`${signal}: stopping (sessions of this run are ended by the local cloud's close if it was started here)\n`);
    void cloud.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  /** Writes the figures measured so far (every one, when the run finished), and prints them. */
  const report = async (note?: string) => {
    const run: RunResult = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}${note ? ` (${note})` : ''}`,
      quick: options.quick,
      cloud: { origin: cloud.origin, apiUrl: cloud.apiUrl, awsEndpoint: cloud.awsEndpoint },
      machine: describeMachine(),
      options: { ...options },
      figures,
    };
    const svg = await renderPlot(figures, `Shelcaster benchmarks ${run.startedAt}`);
    const written = await writeResults(run, svg, {
      root: ROOT,
      resultsDir: join(ROOT, 'bench', 'results', ...(options.quick ? ['quick'] : [])),
      ...(options.writeDocs ? { docsPath: join(ROOT, 'docs', 'benchmarks.md') } : {}),
    });
    log('');
    for (const f of figures) {
      const s = f.summary;
      const verdict = f.pass === null ? 'reported' : f.pass ? 'pass' : 'MISS';
      log(`${verdict.padEnd(8)} ${f.title}: n=${s.count} p50=${s.p50} p95=${s.p95} p99=${s.p99} max=${s.max} ${f.unit}${f.error ? ` (${f.error})` : ''}`);
    }
    log(`\nWrote ${written.json}, ${written.svg}${written.docs ? ` and ${written.docs}` : ''}`);
  };
  let current: Step | undefined;
  // Past the hard budget: what was measured is still written (the step in progress is reported as cut short).
  const budget = setTimeout(() => {
    process.stderr.write('The benchmark ran over its 15-minute budget; stopping and writing what was measured.\n');
    if (current) current.ids.forEach((id, i) => figures.push(failedFigure(id, current!.titles[i]!, 'ms', '', new Error('cut short: the run reached its 15-minute budget'))));
    void report('cut short at its budget')
      .catch((error: unknown) => process.stderr.write(`Writing the results failed: ${String(error)}\n`))
      .finally(() => void cloud.stop().finally(() => process.exit(1)));
  }, RUN_BUDGET_MS);
  try {
    for (const step of STEPS) {
      if (options.only.length && !step.ids.some((id) => options.only.includes(id))) continue;
      log(`${step.titles.join(' / ')} ...`);
      current = step;
      const began = Date.now();
      // This step's share, never past the run's soft end; a step that needs less leaves its time to the next.
      ctx.softDeadline = Math.min(softEnd, began + step.shareMinutes * 60_000);
      try {
        figures.push(...(await step.run(ctx, options)));
      } catch (error) {
        log(`  failed: ${(error as Error).stack ?? String(error)}`);
        step.ids.forEach((id, i) => figures.push(failedFigure(id, step.titles[i]!, 'ms', '', error)));
      }
      current = undefined;
      log(`  (${Math.round((Date.now() - began) / 1000)} s)`);
    }
  } finally {
    clearTimeout(budget);
    await cloud.stop();
  }
  await report();
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
