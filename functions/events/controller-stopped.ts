/** EventBridge target of shelcaster-controller-stopped (`ECS Task State Change`, STOPPED, our family). */
import type { EventBridgeEvent } from 'aws-lambda';
import { controllerStopped, type StoppedTaskDetail } from '../commons/actions/controller-stopped.ts';
import { stepHandler } from '../commons/step-handler.ts';

const lambdaHandler = async (event: EventBridgeEvent<'ECS Task State Change', StoppedTaskDetail>) =>
  controllerStopped(event.detail ?? {});

export const handler = stepHandler(lambdaHandler);
