/**
 * Starts a worker thread on one of our TypeScript modules. Node 20 cannot load TypeScript by itself and a
 * worker does not inherit the loader hooks the main thread runs with, so the worker first registers tsx
 * (`tsx/esm/api`), then imports the module. The parent's flags are not passed on (`execArgv: []`): a worker
 * needs none of them.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * tsx's ESM API (`import` condition of `tsx/esm/api`). `require.resolve` gives the CommonJS build, whose
 * `register()` fails inside a worker on Node 20, so the ESM file is found next to it.
 */
const TSX_API_URL = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;

/** A worker running the TypeScript module at `moduleUrl`, with `workerData` and the other options given. */
export function startTypeScriptWorker(moduleUrl: URL, options: Omit<WorkerOptions, 'eval' | 'execArgv'> = {}): Worker {
  const bootstrap = `import(${JSON.stringify(TSX_API_URL)})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl.href)}); })
  .catch((error) => { process.stderr.write(String(error && error.stack || error) + '\\n'); process.exit(1); });`;
  return new Worker(bootstrap, { ...options, eval: true, execArgv: [] });
}
