/**
 * `shelcaster trace <sessionId> [--json] [--follow] [--state-machine-arn <arn>]`: what happened to a session,
 * read from Step Functions, DynamoDB and CloudWatch Logs through the AWS SDK's standard configuration
 * (AWS_REGION, credentials, AWS_ENDPOINT_URL for the local cloud).
 *   --json     the trace as JSON (with --follow: one JSON line per history event, then the trace on one line)
 *   --follow   print the execution's events as they happen (every 2 s) until it ends, then the trace
 */
import { parseArgs } from 'node:util';
import { renderJson } from './render-json.ts';
import { renderEventLine, renderText } from './render-text.ts';
import { defaultTraceClients, TraceError, type TraceClients } from './trace-sources.ts';
import { followSessionExecution, sessionExecutionArn, traceSession } from './trace-session.ts';

export const USAGE = 'Usage: shelcaster trace <sessionId> [--json] [--follow] [--state-machine-arn <arn>]\n';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  clients?: TraceClients;
  sleep?: (ms: number) => Promise<void>;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs the CLI on its arguments (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        follow: { type: 'boolean', default: false },
        'state-machine-arn': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command, sessionId, ...rest] = parsed.positionals;
  if (parsed.values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (command !== 'trace' || !sessionId || rest.length > 0) {
    io.stderr(USAGE);
    return 2;
  }
  const clients = io.clients ?? defaultTraceClients();
  const json = parsed.values.json;
  try {
    const executionArn = await sessionExecutionArn(clients, sessionId, parsed.values['state-machine-arn']);
    if (parsed.values.follow) {
      await followSessionExecution(
        clients,
        executionArn,
        (event) => io.stdout(json ? `${JSON.stringify({ event })}\n` : `${renderEventLine(event)}\n`),
        io.sleep,
      );
    }
    const trace = await traceSession(clients, sessionId, executionArn);
    if (json) io.stdout(parsed.values.follow ? `${JSON.stringify({ trace })}\n` : renderJson(trace));
    else io.stdout(`${parsed.values.follow ? '\n' : ''}${renderText(trace)}`);
    return 0;
  } catch (error) {
    if (error instanceof TraceError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    io.stderr(`shelcaster trace failed: ${(error as Error).name}: ${(error as Error).message}\n`);
    return 1;
  }
}
