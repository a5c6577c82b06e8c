/**
 * Step Functions: operation → IAM action on the state machine or the execution it names; SendTask* act on
 * the state machine of the token's execution.
 */
import { jsonBody, str, targetOperation, type ServiceActions } from './types.ts';

/** Operations without a resource (resource `*`). */
const ACCOUNT_LEVEL = new Set(['ListStateMachines', 'ListActivities', 'CreateStateMachine']);
const TOKEN_OPERATIONS = new Set(['SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat']);

export const stepFunctionsActions: ServiceActions = {
  service: 'states',
  actionsOf(request, context) {
    const operation = targetOperation(request);
    const body = jsonBody(request);
    const action = `states:${operation}`;
    if (ACCOUNT_LEVEL.has(operation)) {
      const name = str(body.name);
      const resource = operation === 'CreateStateMachine' && name ? `arn:aws:states:${context.region}:${context.account}:stateMachine:${name}` : '*';
      return { operation, requested: [{ action, resource }] };
    }
    if (TOKEN_OPERATIONS.has(operation)) {
      // A token the service does not know asks nothing of IAM: the service answers it (InvalidToken,
      // TaskDoesNotExist), as AWS does for a token that names no task.
      const token = str(body.taskToken);
      const resource = token ? context.stateMachineOfToken?.(token) : undefined;
      return { operation, requested: resource ? [{ action, resource }] : [] };
    }
    const resource = str(body.executionArn) ?? str(body.stateMachineArn) ?? '*';
    return { operation, requested: [{ action, resource }] };
  },
};
