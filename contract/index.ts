/** The contract: one import for everything shared by CDK, functions, controller and local cloud. */
export * from './names.ts';
export * from './limits.ts';
export * from './commands.ts';
export * from './decks.ts';
export * from './session.ts';
export * from './routes.ts';
export * from './state-machine.ts';
export * from './env.ts';
export * from './functions.ts';
export * from './controller-task.ts';
export * from './media-url-policy.ts';
export * from './http-api.ts';
export * from './tracks.ts';
export * from './console.ts';
