/**
 * The pages the local API serves besides its routes, in one static handler that asks each page in turn: the
 * host console (`/`, `/podcast`, `/assets/...`) and the executions pages (`/executions`). The local cloud
 * passes `localPages()` to the API server as its `staticHandler`.
 */
import type { StaticHandler } from '../api/server.ts';
import { createExecutionsPageHandler, type ExecutionsPageOptions } from './executions-page.ts';
import { consoleStaticFiles } from './static-files.ts';

/** A static handler that tries each handler in order until one answers. */
export function firstAnswering(handlers: readonly StaticHandler[]): StaticHandler {
  return async (req, res) => {
    for (const handler of handlers) {
      if (await handler(req, res)) return true;
    }
    return false;
  };
}

export interface LocalPagesOptions {
  /** Repository root (the console is built into its console/dist). */
  root: string;
  executions?: ExecutionsPageOptions;
}

/** Every page of the local cloud. */
export function localPages(options: LocalPagesOptions): StaticHandler {
  return firstAnswering([consoleStaticFiles({ root: options.root }), createExecutionsPageHandler(options.executions)]);
}
