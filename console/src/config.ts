/** What the server that served the page told it (local sign-in). */
import { CONSOLE_CONFIG_ELEMENT_ID, type ConsoleConfig } from '#contract/console';

/** Reads the configuration element; a page served without one has no local sign-in. */
export function readConsoleConfig(doc: Document = document): ConsoleConfig {
  const text = doc.getElementById(CONSOLE_CONFIG_ELEMENT_ID)?.textContent;
  if (!text) return {};
  return JSON.parse(text) as ConsoleConfig;
}
