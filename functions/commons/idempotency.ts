/**
 * Idempotency-Key support for POST routes, with Powertools idempotency (DynamoDB persistence). It wraps the
 * route's work function, not the handler, so a refused request (400, 404, ...) is never remembered: only a
 * completed answer is, and a retry with the same key and body returns it. Keys are per caller (host + key).
 *
 * A request whose process died (a crash, a timeout) leaves its record INPROGRESS. Powertools gives that record
 * an in-progress expiry of the invocation's start plus the Lambda context's remaining time (so the function's
 * timeout), and lets a later request with the key take the record over once that has passed; until then a
 * retry is answered 409 with `Retry-After`. The work function must therefore cope with finding what a dead
 * attempt left half done (enqueue-command and create-session do: actions/enqueue-command.ts,
 * actions/create-session.ts).
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { ENV, IDEMPOTENCY_TTL_SECONDS } from '#contract/index';
import { dynamoDbClient } from '#clients/dynamodb';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { ConflictError } from './errors.ts';

/** What the idempotent function receives: the scoped key, and the request it must match on a retry. */
interface KeyedRequest<Request> {
  idempotencyKey: string;
  request: Request;
}

/** A work function run at most once per (caller, Idempotency-Key). */
export interface IdempotentWork<Request, Result> {
  run(args: { callerId: string; idempotencyKey: string | undefined; request: Request; context: Context }): Promise<Result>;
}

/** Makes `work` idempotent per caller and Idempotency-Key; without a key it simply runs. */
/** Requests and results must be plain JSON (they are hashed and stored). */
export function idempotentPerCaller<Request extends object, Result extends object>(
  keyPrefix: string,
  work: (request: Request) => Promise<Result>,
): IdempotentWork<Request, Result> {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: getStringFromEnv(ENV.idempotencyTable),
    awsSdkV3Client: dynamoDbClient,
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'idempotencyKey',
    payloadValidationJmesPath: 'request',
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  const keyed = makeIdempotent(async (input: KeyedRequest<Request>) => work(input.request), { persistenceStore, config, keyPrefix });

  return {
    async run({ callerId, idempotencyKey, request, context }) {
      if (idempotencyKey === undefined) return work(request);
      config.registerLambdaContext(context);
      try {
        return (await keyed({ idempotencyKey: `${callerId}#${idempotencyKey}`, request })) as Result;
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'IdempotencyValidationError') {
          throw new ConflictError('The Idempotency-Key was already used with a different request.', { cause: error });
        }
        if (name === 'IdempotencyAlreadyInProgressError') {
          // The attempt in progress started before this one with the same timeout, so its lock (Powertools'
          // in-progress expiry: its start plus its remaining time) is over once this invocation's time is.
          const retryAfter = String(Math.max(1, Math.ceil(context.getRemainingTimeInMillis() / 1000)));
          throw new ConflictError('A request with this Idempotency-Key is still in progress.', { cause: error, headers: { 'retry-after': retryAfter } });
        }
        throw error;
      }
    },
  };
}
