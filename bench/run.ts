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
import { useRunTempDirectory } from './run-temp-dir.ts';
import { RUN_BUDGET_MS, SHARE_SECONDS, SOFT_BUDGET_MS, stepDeadline } from './budget.ts';
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

const log = (line: string) => process.stdout.write(`${line}\n`);

/** A step of the run: the figures it produces, and its share of the run's budget. */
interface Step {
  ids: string[];
  titles: string[];
  /**
   * Seconds of the soft budget this step may take: its loops stop adding work past them, so a slow step
   * cannot leave a later one without time (every run measures every figure). The shares add up to the soft
   * budget (a test checks it); when the steps before ran over theirs, each later share shrinks in proportion
   * (`stepDeadline`), so the last step still gets its part.
   */
  shareSeconds: number;
  run(ctx: BenchContext, options: BenchOptions): Promise<Figure[]>;
}

const COLD_WARM_FAULTS_TITLES = [
  "cold start: POST /sessions → LIVE, no warm controller, Fargate's start-up modelled",
  "warm start: POST /sessions → LIVE with a warm controller, Fargate's start-up modelled",
  'pool refill: a claim → the next warm controller idle',
  'faults survived: DynamoDB and SQS outages, Lambda throttled, controller killed, local cloud restarted',
] as const;

const STEPS: Step[] = [
  {
    ids: ['start', 'end', 'join'],
    titles: ['start: POST /sessions → LIVE', 'end: DELETE → ENDED, and leaks', 'controller process start → joined and publishing'],
    shareSeconds: SHARE_SECONDS.start,
    run: (ctx, o) => lifecycleFigures(ctx, o.lifecycleSessions, log),
  },
  {
    // Early, so a run whose earlier steps overran cannot leave it without time (its figure needs minutes
    // whatever the machine; every later step has a minimum of samples).
    ids: ['shows', 'load'],
    titles: ['shows at once', 'API under load'],
    shareSeconds: SHARE_SECONDS.shows,
    run: (ctx, o) => showsAndLoadFigures(ctx, { ...o, only: o.only }, log),
  },
  {
    // Three in local clouds of their own, side by side: cold and warm starts spend most of their time waiting
    // on the modelled Fargate start-up (30 s per cold task, per pool refill), and the faults' figures are
    // counts (each fault runs once whatever the budget: about 5 minutes, two of them the 30 s outages), so
    // together they take the time of the longest, not the sum.
    ids: ['cold-start', 'warm-start', 'pool-refill', 'faults'],
    titles: [...COLD_WARM_FAULTS_TITLES],
    shareSeconds: SHARE_SECONDS['cold-start'],
    run: async (ctx, o) => {
      const wants = (id: string) => !o.only.length || o.only.includes(id);
      // One part failing leaves the others' figures.
      const part = (ids: [string, string][], run: () => Promise<Figure[]>): Promise<Figure[]> =>
        ids.some(([id]) => wants(id)) ? run().catch((error: unknown) => ids.map(([id, title]) => failedFigure(id, title, 'ms', '', error))) : Promise.resolve([]);
      const [coldTitle, warmTitle, refillTitle, faultsTitle] = COLD_WARM_FAULTS_TITLES;
      const parts = await Promise.all([
        part([['cold-start', coldTitle]], async () => [await coldStartFigure(ctx.runId, o.coldStarts, log, () => ctx.outOfTime)]),
        part([['warm-start', warmTitle], ['pool-refill', refillTitle]], () => warmStartFigures(ctx.runId, o.warmStarts, log, () => ctx.outOfTime)),
        part([['faults', faultsTitle]], () => faultsFigures(ctx.runId, { outageSeconds: o.faultOutageSeconds }, log)),
      ]);
      return parts.flat();
    },
  },
  {
    ids: ['commands', 'footprint'],
    titles: ['command → APPLIED', 'controller footprint'],
    shareSeconds: SHARE_SECONDS.commands,
    run: (ctx, o) => commandAndFootprintFigures(ctx, { commands: o.commands, sessions: o.commandSessions, footprintSeconds: o.footprintSeconds }, log),
  },
  {
    ids: ['audible', 'floor'],
    titles: ['command → audible in the composition', 'the floor: tone published straight to the stage'],
    shareSeconds: SHARE_SECONDS.audible,
    run: (ctx, o) => audibleFigures(ctx, { commands: o.audibleCommands, floorTones: o.floorTones }, log),
  },
  {
    ids: ['caller'],
    titles: ['caller hears the track'],
    run: (ctx, o) => callerFigures(ctx, o.callerBeeps, log),
    shareSeconds: SHARE_SECONDS.caller,
  },
  {
    ids: ['duck'],
    titles: ["a caller's voice → the bed ducks"],
    run: (ctx, o) => duckingFigures(ctx, o.duckTurns, log),
    shareSeconds: SHARE_SECONDS.duck,
  },
  {
    ids: ['play'],
    titles: ['PLAY → APPLIED: 60-minute MP3 and 2-second jingle'],
    shareSeconds: SHARE_SECONDS.play,
    run: async (ctx, o) => [await playFigure(ctx, o.playCommands, log)],
  },
  {
    ids: ['recovery'],
    titles: ['controller killed → back on air (issue 8)'],
    shareSeconds: SHARE_SECONDS.recovery,
    run: (ctx, o) => recoveryFigures(ctx, o.recoveryKills, log),
  },
  {
    ids: ['gateway'],
    titles: ['gateway checks per request'],
    shareSeconds: SHARE_SECONDS.gateway,
    run: async (_ctx, o) => [await gatewayChecksFigure(o.gatewayRequests, log)],
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
  useRunTempDirectory();
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
    const steps = STEPS.filter((step) => !options.only.length || step.ids.some((id) => options.only.includes(id)));
    for (const step of steps) {
      log(`${step.titles.join(' / ')} ...`);
      current = step;
      const began = Date.now();
      // This step's share, shrunk if the steps before ran over theirs; a step that needs less leaves its time
      // to the next.
      const later = steps.slice(steps.indexOf(step)).reduce((sum, s) => sum + s.shareSeconds, 0);
      ctx.softDeadline = stepDeadline(began, step.shareSeconds, later, softEnd);
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
