/**
 * The HTTP API (infra/constructs/http-api.ts): every route of the contract's API_ROUTES to its function,
 * guarded by the JWT authorizer where the route says so. Locally the API server (local-cloud/api/server.ts)
 * serves these routes, checks tokens of the local issuer for the audience LOCAL_JWT_AUDIENCE, and answers
 * CORS for every origin (CDK allows the deployment's console origins).
 */
import { API_ROUTES, functionNameOf, LOCAL_JWT_AUDIENCE, routeKey, type ApiRoute } from '#contract/index';

export interface LocalHttpApi {
  routes: readonly ApiRoute[];
  audience: string;
}

/** What the local API server is started with. */
export function deployHttpApi(): LocalHttpApi {
  return { routes: API_ROUTES, audience: LOCAL_JWT_AUDIENCE };
}

/** The routes as `route key → function name and whether the authorizer guards it` (what the parity test compares). */
export function routeTable(api: LocalHttpApi): Record<string, { functionName: string; authorized: boolean }> {
  return Object.fromEntries(api.routes.map((route) => [routeKey(route), { functionName: functionNameOf(route), authorized: route.authorized }]));
}
