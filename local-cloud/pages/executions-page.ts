/**
 * The local console's executions pages, served on the local API port through its static handler:
 *   GET /executions          every execution of every state machine: status, start and stop times
 *   GET /executions/<id>     one execution (its ARN or its name, URL-encoded): the state machine drawn from
 *                            its definition (DescribeStateMachine) with each state coloured by what happened,
 *                            and the event history as a table, as the Step Functions console shows them.
 * Everything is read through the Step Functions API with the SDK's standard configuration (the local cloud's
 * endpoint comes from AWS_ENDPOINT_URL), never from the local service's internals. A running execution's
 * page refreshes itself every 2 seconds.
 *
 * LIMITATIONS: execution data (input, output, task parameters) is not shown — task tokens travel in it; at
 * most 1,000 executions per state machine are listed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  type DescribeExecutionOutput,
  type ExecutionListItem,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import type { StaticHandler } from '../api/server.ts';
import { stateVisits } from '#trace/trace-model';
import { executionHistory } from '#trace/trace-sources';
import { formatDuration } from '#trace/render-text';
import { escapeHtml, page } from './html.ts';
import { graphLegend, renderStateGraph, stateStatuses } from './state-graph.ts';

/** Where the pages are mounted. */
export const EXECUTIONS_PATH = '/executions';

/** Most executions listed per state machine. */
const MAX_LISTED_EXECUTIONS = 1000;

/** Seconds between refreshes of a running execution's page. */
const REFRESH_SECONDS = 2;

export interface ExecutionsPageOptions {
  /** The Step Functions client (default: built at the first request, from the standard configuration). */
  sfn?: SFNClient;
  /** Told about failures to read (never shown on the page beyond the error's name). */
  onError?: (message: string, error: unknown) => void;
}

class ExecutionNotFoundError extends Error {
  constructor(id: string) {
    super(`No execution ${id}`);
    this.name = 'ExecutionNotFoundError';
  }
}

const time = (date: Date | undefined) => (date ? new Date(date).toISOString().replace('T', ' ').replace('Z', ' UTC') : '-');
const statusCell = (status: string | undefined) => `<span class="status status-${escapeHtml(status)}">${escapeHtml(status ?? '-')}</span>`;
const executionHref = (executionArn: string) => `${EXECUTIONS_PATH}/${encodeURIComponent(executionArn)}`;

async function allExecutions(sfn: SFNClient): Promise<(ExecutionListItem & { stateMachineName: string })[]> {
  const machines: { name: string; arn: string }[] = [];
  let token: string | undefined;
  do {
    const pageOut = await sfn.send(new ListStateMachinesCommand({ ...(token ? { nextToken: token } : {}) }));
    for (const m of pageOut.stateMachines ?? []) if (m.stateMachineArn) machines.push({ name: m.name ?? '', arn: m.stateMachineArn });
    token = pageOut.nextToken;
  } while (token);
  const executions: (ExecutionListItem & { stateMachineName: string })[] = [];
  for (const machine of machines) {
    let next: string | undefined;
    let count = 0;
    do {
      const pageOut = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine.arn, maxResults: 100, ...(next ? { nextToken: next } : {}) }));
      for (const e of pageOut.executions ?? []) executions.push({ ...e, stateMachineName: machine.name });
      count += pageOut.executions?.length ?? 0;
      next = pageOut.nextToken;
    } while (next && count < MAX_LISTED_EXECUTIONS);
  }
  return executions.sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
}

/** The list page. */
async function listPage(sfn: SFNClient): Promise<string> {
  const executions = await allExecutions(sfn);
  const rows = executions
    .map((e) => {
      const duration = e.stopDate && e.startDate ? formatDuration(e.stopDate.getTime() - e.startDate.getTime()) : '-';
      return `<tr data-execution="${escapeHtml(e.name)}"><td><a href="${escapeHtml(executionHref(e.executionArn ?? ''))}">${escapeHtml(e.name)}</a></td><td>${escapeHtml(e.stateMachineName)}</td><td>${statusCell(e.status)}</td><td>${time(e.startDate)}</td><td>${time(e.stopDate)}</td><td>${duration}</td></tr>`;
    })
    .join('\n');
  const running = executions.some((e) => e.status === 'RUNNING');
  return page(
    'Executions',
    `<h1>Executions (${executions.length})</h1>
<section class="panel"><table class="executions">
<thead><tr><th>Name</th><th>State machine</th><th>Status</th><th>Started</th><th>Stopped</th><th>Duration</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="6">No executions yet.</td></tr>'}
</tbody></table></section>`,
    running ? REFRESH_SECONDS : undefined,
  );
}

/** The execution ARN for a path segment: an ARN as is, or a name looked up among every state machine's executions. */
async function resolveExecutionArn(sfn: SFNClient, id: string): Promise<string> {
  if (id.startsWith('arn:')) return id;
  const found = (await allExecutions(sfn)).find((e) => e.name === id);
  if (!found?.executionArn) throw new ExecutionNotFoundError(id);
  return found.executionArn;
}

const FAILURE_KEYS = [
  'taskFailedEventDetails',
  'taskTimedOutEventDetails',
  'taskStartFailedEventDetails',
  'taskSubmitFailedEventDetails',
  'lambdaFunctionFailedEventDetails',
  'lambdaFunctionTimedOutEventDetails',
  'executionFailedEventDetails',
  'executionTimedOutEventDetails',
  'executionAbortedEventDetails',
] as const;

/** The rows of the event history table: each event with the state it belongs to, like the console's Events view. */
export function historyRows(events: readonly HistoryEvent[], startDate: Date | undefined): string {
  let step = '';
  const start = startDate ? new Date(startDate).getTime() : undefined;
  return [...events]
    .sort((a, b) => (a.id ?? 0) - (b.id ?? 0))
    .map((event) => {
      const entered = event.stateEnteredEventDetails?.name;
      if (entered) step = entered;
      const rowStep = event.type?.startsWith('Execution') ? '' : (event.stateExitedEventDetails?.name ?? step);
      const scheduled = event.taskScheduledEventDetails ?? event.taskStartedEventDetails ?? event.taskSucceededEventDetails ?? event.taskSubmittedEventDetails;
      const failure = FAILURE_KEYS.map((key) => event[key]).find(Boolean) as { error?: string; cause?: string } | undefined;
      const resource = scheduled ? `${scheduled.resourceType}:${scheduled.resource}` : '';
      const at = event.timestamp ? new Date(event.timestamp).getTime() : undefined;
      const after = start !== undefined && at !== undefined ? formatDuration(at - start) : '-';
      const detail = failure ? [failure.error, failure.cause].filter(Boolean).join('\n') : '';
      const failed = failure ? ' class="failure"' : '';
      return `<tr${failed} data-type="${escapeHtml(event.type)}"><td>${event.id ?? ''}</td><td>${escapeHtml(event.type)}</td><td>${escapeHtml(rowStep)}</td><td>${escapeHtml(resource)}</td><td class="nowrap">${after}</td><td class="nowrap">${time(event.timestamp)}</td><td class="detail">${escapeHtml(detail)}</td></tr>`;
    })
    .join('\n');
}

/** One execution's page. */
async function executionPage(sfn: SFNClient, id: string): Promise<string> {
  const executionArn = await resolveExecutionArn(sfn, id);
  let execution: DescribeExecutionOutput;
  try {
    execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') throw new ExecutionNotFoundError(id);
    throw error;
  }
  const [machine, events] = await Promise.all([
    sfn.send(new DescribeStateMachineCommand({ stateMachineArn: execution.stateMachineArn })),
    executionHistory(sfn, executionArn),
  ]);
  const visits = stateVisits(events);
  const graph = renderStateGraph(machine.definition ?? '{}', stateStatuses(visits));
  const duration = execution.stopDate && execution.startDate ? formatDuration(execution.stopDate.getTime() - execution.startDate.getTime()) : '-';
  const failure = execution.error || execution.cause
    ? `<dt>Error</dt><dd>${escapeHtml(execution.error)}</dd><dt>Cause</dt><dd>${escapeHtml(execution.cause)}</dd>`
    : '';
  return page(
    `Execution ${execution.name ?? ''}`,
    `<h1>Execution: ${escapeHtml(execution.name)}</h1>
<section class="panel"><dl class="summary">
<dt>Status</dt><dd>${statusCell(execution.status)}</dd>
<dt>Execution ARN</dt><dd>${escapeHtml(executionArn)}</dd>
<dt>State machine</dt><dd>${escapeHtml(machine.name)}</dd>
<dt>Started</dt><dd>${time(execution.startDate)}</dd>
<dt>Stopped</dt><dd>${time(execution.stopDate)}</dd>
<dt>Duration</dt><dd>${duration}</dd>
${failure}
</dl></section>
<h2>Graph view</h2>
<section class="panel graph">${graphLegend()}
${graph}</section>
<h2>Events (${events.length})</h2>
<section class="panel"><table class="history">
<thead><tr><th>ID</th><th>Type</th><th>Step</th><th>Resource</th><th>Started after</th><th>Date and time</th><th>Error / cause</th></tr></thead>
<tbody>
${historyRows(events, execution.startDate)}
</tbody></table></section>`,
    execution.status === 'RUNNING' ? REFRESH_SECONDS : undefined,
  );
}

function sendHtml(res: ServerResponse, status: number, html: string, head: boolean): void {
  const body = Buffer.from(html);
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(body.length), 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

/** A static handler serving the executions pages (false for every other path). */
export function createExecutionsPageHandler(options: ExecutionsPageOptions = {}): StaticHandler {
  let sfn = options.sfn;
  return async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    if (method !== 'GET' && method !== 'HEAD') return false;
    if (pathname !== EXECUTIONS_PATH && !pathname.startsWith(`${EXECUTIONS_PATH}/`)) return false;
    sfn ??= new SFNClient({});
    const head = method === 'HEAD';
    const id = pathname === EXECUTIONS_PATH ? undefined : decodeURIComponent(pathname.slice(EXECUTIONS_PATH.length + 1));
    try {
      sendHtml(res, 200, id === undefined ? await listPage(sfn) : await executionPage(sfn, id), head);
    } catch (error) {
      if (error instanceof ExecutionNotFoundError) {
        sendHtml(res, 404, page('Not found', `<h1>Not found</h1><p>${escapeHtml(error.message)}.</p><p><a href="${EXECUTIONS_PATH}">All executions</a></p>`), head);
      } else {
        options.onError?.('The executions page could not read Step Functions', error);
        sendHtml(res, 502, page('Unavailable', `<h1>Step Functions did not answer</h1><p>${escapeHtml((error as Error).name)}</p>`), head);
      }
    }
    return true;
  };
}
