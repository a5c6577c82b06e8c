/**
 * The host console: static pages (built by Vite into `console/dist`) that the API serves — the host's page
 * at `/` and `/podcast`, the caller's page at `/call` — with their files under `/assets/`. The server that
 * serves a page tells it how to sign in by replacing CONSOLE_CONFIG_PLACEHOLDER with a JSON script element.
 * The pages join the stage with the IVS web SDK everywhere.
 */

/** The caller's page: a host shares its link, which carries a caller's participant token. */
export const CALLER_PAGE_PATH = '/call';

/** Each page path and the built file that answers it. */
export const CONSOLE_PAGES = {
  '/': 'index.html',
  '/podcast': 'index.html',
  [CALLER_PAGE_PATH]: 'call.html',
} as const satisfies Record<string, string>;

/** Paths that answer one of the console's pages. */
export const CONSOLE_PAGE_PATHS = Object.keys(CONSOLE_PAGES) as (keyof typeof CONSOLE_PAGES)[];

/**
 * The link a host shares with a caller: the caller page with the caller's participant token in the fragment,
 * which browsers never send to a server (so it is in no request log).
 */
export function callerLink(origin: string, participantToken: string): string {
  return `${origin}${CALLER_PAGE_PATH}#token=${encodeURIComponent(participantToken)}`;
}

/** The participant token of a caller link's fragment, if it has one. */
export function callerTokenOf(fragment: string): string | undefined {
  return new URLSearchParams(fragment.replace(/^#/, '')).get('token') ?? undefined;
}

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
  /** A same-origin URL that issues a token for a user id (the local cloud only); absent on AWS. */
  localSignInUrl?: string;
}
