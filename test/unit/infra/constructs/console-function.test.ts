import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, CONSOLE_DIST_DIR, FUNCTION_NAMES, functionSpec, routeKey } from '#contract/index';
import { bundledDirectoryHooks } from '#infra/constructs/shelcaster-function';
import { SYNTH_TIMEOUT_MS, synthesizeStack, type SynthesizedStack } from '../stack-fixture.ts';

let synth: SynthesizedStack;

beforeAll(() => {
  synth = synthesizeStack({ jwtIssuer: 'https://auth.example.com/', jwtAudience: ['shelcaster-console'], allowedOrigins: 'https://console.example.com' });
}, SYNTH_TIMEOUT_MS);

const CONSOLE_ROUTE_KEYS = ['GET /', 'GET /podcast', 'GET /call', 'GET /assets/{proxy+}'];

describe('The console function on AWS', () => {
  it('serves the page and its files without the JWT authorizer', () => {
    const routes = synth.reader.idsOfType('AWS::ApiGatewayV2::Route').map((id) => synth.reader.resource(id).Properties ?? {});

    for (const key of CONSOLE_ROUTE_KEYS) {
      const route = routes.find((r) => r.RouteKey === key);
      expect(route, key).toBeDefined();
      expect(route?.AuthorizationType ?? 'NONE').toBe('NONE');
      expect(route?.AuthorizerId).toBeUndefined();
    }
    expect(API_ROUTES.filter((r) => !r.authorized).map(routeKey).sort()).toEqual([...CONSOLE_ROUTE_KEYS].sort());
  });

  it('is a function of its own with no bindings: no environment of the system, no grants', () => {
    const [id] = synth.reader.named('AWS::Lambda::Function', FUNCTION_NAMES.serveConsole);
    const variables = Object.keys((synth.reader.resource(id!).Properties?.Environment as { Variables: object }).Variables);

    expect(variables).toEqual(['POWERTOOLS_SERVICE_NAME']);
  });

  it('builds the console before bundling and copies the built folder next to the handler', () => {
    const directory = functionSpec('serveConsole').bundledDirectory!;
    const hooks = bundledDirectoryHooks(directory);

    expect(directory).toMatchObject({ from: CONSOLE_DIST_DIR, to: 'console' });
    expect(hooks.beforeBundling('/repo', '/out')).toEqual(['cd "/repo" && node scripts/build-console.mjs']);
    expect(hooks.afterBundling('/repo', '/out')).toEqual([
      'test -f "/repo/console/dist/index.html" || { echo "console/dist is not built" >&2; exit 1; }',
      'cp -R "/repo/console/dist" "/out/console"',
    ]);
  });
});
