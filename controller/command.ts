/**
 * The controller container's command, read from controller/command.json (the one place it is written):
 * the Dockerfile's CMD and the local ECS image map use it. Run from the repository root.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CONTROLLER_COMMAND_FILE = fileURLToPath(new URL('./command.json', import.meta.url));

/** Root the command runs in (the repository root; `/app` in the image). */
export const CONTROLLER_WORKING_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));

/** The command, argv style (`node` is Node 22). */
export const CONTROLLER_COMMAND: readonly string[] = (
  JSON.parse(readFileSync(CONTROLLER_COMMAND_FILE, 'utf8')) as { command: string[] }
).command;
