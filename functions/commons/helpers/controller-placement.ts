/** Where controller tasks run, from the function's environment (the controllerTask binding). */
import { ENV } from '#contract/index';
import type { ControllerPlacement } from './run-controller-task.ts';
import { getListFromEnv, getStringFromEnv } from './get-string-from-env.ts';

/** Reads the cluster, task definition and network of controller tasks; throws when a variable is missing. */
export function controllerPlacementFromEnv(): ControllerPlacement {
  return {
    cluster: getStringFromEnv(ENV.clusterName),
    taskDefinition: getStringFromEnv(ENV.taskDefinition),
    subnets: getListFromEnv(ENV.subnets),
    securityGroups: getListFromEnv(ENV.securityGroups),
    assignPublicIp: /^(enabled|true)$/i.test(getStringFromEnv(ENV.assignPublicIp)) ? 'ENABLED' : 'DISABLED',
  };
}
