/** The local Step Functions service: the provider for the gateway, and the engine for tests and tools. */
export { createStepFunctionsProvider, STEP_FUNCTIONS_SIGNING_NAME, STEP_FUNCTIONS_TARGET_PREFIX } from './provider.ts';
export type { StepFunctionsProvider, StepFunctionsProviderOptions } from './provider.ts';
export { StepFunctionsEngine } from './engine.ts';
export type { EngineOptions } from './engine.ts';
export { StateMachines } from './state-machines.ts';
export type { CreateStateMachineInput } from './state-machines.ts';
export { isWellFormedToken } from './task-tokens.ts';
export { createSdkTaskResources } from './sdk-task-resources.ts';
export { parseResource, SUPPORTED_RESOURCES } from './task-resources.ts';
export type { TaskInvocation, TaskResources, ParsedResource } from './task-resources.ts';
export { StatesError, TaskResourceError } from './errors.ts';
export type { HistoryEvent, HistoryEventType } from './history.ts';
export type { ExecutionRecord, ExecutionStatus, StateMachineRecord } from './store.ts';
export type { JsonValue } from './json.ts';
