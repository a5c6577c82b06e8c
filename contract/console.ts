/**
 * The host console: a static page (built by Vite into `console/dist`) that the API serves at `/` and
 * `/podcast`, with its files under `/assets/`. The server that serves `index.html` tells the page how to
 * reach the stage and how to sign in by replacing CONSOLE_CONFIG_PLACEHOLDER with a JSON script element.
 */
import type { StageTransport } from './env.ts';

/** Paths that answer the console's page. */
export const CONSOLE_PAGE_PATHS = ['/', '/podcast'] as const;

/** Path prefix of the console's built files (scripts, styles). */
export const CONSOLE_ASSETS_PREFIX = '/assets/';

/** The console's built folder, relative to the repository root. */
export const CONSOLE_DIST_DIR = 'console/dist';

/** Marker in the built index.html that the serving side replaces with the page's configuration. */
export const CONSOLE_CONFIG_PLACEHOLDER = '<!--shelcaster-console-config-->';

/** Id of the JSON script element that carries the configuration. */
export const CONSOLE_CONFIG_ELEMENT_ID = 'shelcaster-console-config';

/** What the page is told by whoever serves it. */
export interface ConsoleConfig {
  /** How the host joins the stage: WHIP (the local stage) or the IVS web SDK (AWS). */
  stageTransport: StageTransport;
  /** A same-origin URL that issues a token for a user id (the local cloud only); absent on AWS. */
  localSignInUrl?: string;
}
