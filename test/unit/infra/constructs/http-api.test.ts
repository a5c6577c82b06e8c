import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, DEFAULT_ROUTE_THROTTLE, FUNCTION_NAMES, routeKey } from '#contract/index';
import { SYNTH_TIMEOUT_MS, synthesizeStack, type SynthesizedStack } from '../stack-fixture.ts';

const ISSUER = 'https://auth.example.com/tenant/';
const AUDIENCES = ['shelcaster-console', 'shelcaster-cli'];

let synth: SynthesizedStack;
let apiId: string;

beforeAll(() => {
  synth = synthesizeStack({ jwtIssuer: ISSUER, jwtAudience: AUDIENCES, allowedOrigins: 'https://console.example.com' });
  apiId = synth.reader.named('AWS::ApiGatewayV2::Api', 'shelcaster-api')[0];
}, SYNTH_TIMEOUT_MS);

function routes() {
  return synth.reader.idsOfType('AWS::ApiGatewayV2::Route').map((id) => synth.reader.resource(id).Properties ?? {});
}

/** The function an integration (`integrations/<id>`) proxies to. */
function functionOfTarget(target: unknown): string {
  const integrationId = /^integrations\/(.+)$/.exec(synth.reader.render(target))?.[1];
  const integration = synth.reader.resource(integrationId!).Properties ?? {};
  expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  return synth.reader.render(integration.IntegrationUri).replace('arn-of:AWS::Lambda::Function:', '');
}

describe('HttpApi', () => {
  it('serves exactly the contract routes, each to its function', () => {
    const served = Object.fromEntries(routes().map((r) => [r.RouteKey as string, functionOfTarget(r.Target)]));
    expect(served).toEqual(Object.fromEntries(API_ROUTES.map((r) => [routeKey(r), FUNCTION_NAMES[r.function]])));
  });

  it('guards the authorized routes with the JWT authorizer of the context issuer and audiences', () => {
    const [authorizerId] = synth.reader.idsOfType('AWS::ApiGatewayV2::Authorizer');
    expect(synth.reader.resource(authorizerId!).Properties).toMatchObject({
      AuthorizerType: 'JWT',
      Name: 'shelcaster-jwt',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: ISSUER, Audience: AUDIENCES },
    });
    for (const route of API_ROUTES) {
      const props = routes().find((r) => r.RouteKey === routeKey(route))!;
      if (route.authorized) expect(props).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      else expect(props.AuthorizerId).toBeUndefined();
    }
  });

  it('allows the context origins with the headers the API reads', () => {
    const cors = synth.reader.resource(apiId).Properties?.CorsConfiguration as Record<string, string[]>;
    expect(cors.AllowOrigins).toEqual(['https://console.example.com']);
    expect(cors.AllowHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type', 'idempotency-key']));
    expect(cors.AllowMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'DELETE']));
  });

  it('throttles each route of the auto-deployed default stage with its own budget from the contract', () => {
    const [stageId] = synth.reader.idsOfType('AWS::ApiGatewayV2::Stage');
    const stage = synth.reader.resource(stageId!);
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: DEFAULT_ROUTE_THROTTLE.ratePerSecond, ThrottlingBurstLimit: DEFAULT_ROUTE_THROTTLE.burst },
    });
    expect(stage.Properties?.RouteSettings).toEqual(
      Object.fromEntries(API_ROUTES.map((r) => [routeKey(r), { ThrottlingRateLimit: r.throttle.ratePerSecond, ThrottlingBurstLimit: r.throttle.burst }])),
    );
    // The commands route has a budget of its own, far above the console's public files'.
    expect((stage.Properties?.RouteSettings as Record<string, { ThrottlingRateLimit: number }>)['POST /sessions/{sessionId}/commands']?.ThrottlingRateLimit).toBeGreaterThanOrEqual(500);
    // Route settings name routes by key: the stage waits for every route.
    const routeIds = synth.reader.idsOfType('AWS::ApiGatewayV2::Route');
    expect(stage.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('outputs the API URL', () => {
    expect(synth.reader.render(synth.template.Outputs?.ApiUrl?.Value)).toBe('https://shelcaster-api.execute-api.REGION.amazonaws.com/');
  });
});
