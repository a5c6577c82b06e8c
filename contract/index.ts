/** The contract: one import for everything shared by CDK, functions, controller, local cloud and console. */
export * from './names.ts';
export * from './limits.ts';
export * from './commands.ts';
export * from './session.ts';
export * from './records.ts';
export * from './tables.ts';
export * from './api-routes.ts';
export * from './api-requests.ts';
export * from './api-responses.ts';
export * from './api-client.ts';
export * from './state-machine.ts';
export * from './env.ts';
export * from './functions.ts';
export * from './controller-task.ts';
export * from './media-url-policy.ts';
export * from './http-api.ts';
export * from './console.ts';
