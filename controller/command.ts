/**
 * The controller container's command and environment, read from controller/command.json (the one place they
 * are written): the Dockerfile's CMD and ENV and the local ECS image map use them. Run from the repository root.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CONTROLLER_COMMAND_FILE = fileURLToPath(new URL('./command.json', import.meta.url));

/** Root the command runs in (the repository root; `/app` in the image). */
export const CONTROLLER_WORKING_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));

const file = JSON.parse(readFileSync(CONTROLLER_COMMAND_FILE, 'utf8')) as { command: string[]; environment: Record<string, string> };

/** The command, argv style (`node` is Node 22). */
export const CONTROLLER_COMMAND: readonly string[] = file.command;

/** What the container's environment sets besides what the task definition gives it. */
export const CONTROLLER_ENVIRONMENT: Readonly<Record<string, string>> = file.environment;
