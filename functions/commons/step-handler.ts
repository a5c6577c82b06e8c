/**
 * The one Middy chain of the state machine's steps and the EventBridge targets: traced, logging with the
 * Lambda context (keys reset per invocation), transient AWS errors renamed for the ASL's Retry.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { stepErrors } from './middleware/step-errors.ts';
import { logger, tracer } from './powertools.ts';

/** Wraps a step's logic in the chain every step shares. */
export function stepHandler<Event, Result>(lambdaHandler: (event: Event) => Promise<Result>) {
  return middy(lambdaHandler)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(stepErrors());
}
