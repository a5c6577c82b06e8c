/**
 * Middy middleware for the state machine's Lambda steps: a transient AWS error (throttling, 5xx, network)
 * is rethrown as `Shelcaster.Transient`, which the ASL retries; every other error goes on unchanged.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import { TransientAwsError } from '../errors.ts';
import { isTransientAwsError } from '../helpers/is-transient-aws-error.ts';
import { redactSecrets } from '../helpers/redact-secrets.ts';
import { logger as defaultLogger } from '../powertools.ts';

export interface StepErrorsOptions {
  logger?: Pick<typeof defaultLogger, 'error'>;
}

const defaults: Required<StepErrorsOptions> = { logger: defaultLogger };

/** Creates the middleware; options are merged over the defaults. */
export function stepErrors(opts: StepErrorsOptions = {}): MiddlewareObj {
  const options = { ...defaults, ...opts };

  const stepErrorsOnError = (request: Request) => {
    const error = request.error;
    const transient = isTransientAwsError(error);
    const name = error instanceof Error ? error.name : typeof error;
    const message = error instanceof Error ? redactSecrets(error.message) : '';
    options.logger.error('Step failed', { errorName: name, errorMessage: message, transient });
    if (transient) {
      request.error = new TransientAwsError(`Transient AWS error (${name}): ${message}`, { cause: error });
    }
  };

  return { onError: stepErrorsOnError };
}
