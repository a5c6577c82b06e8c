/**
 * The HTTP API: every route of the contract's API_ROUTES to its function (Lambda proxy, payload format 2.0),
 * guarded by a JWT authorizer where the route says so, with CORS, and throttled per route on the default
 * stage (each route's `throttle` in the contract as its route settings; DEFAULT_ROUTE_THROTTLE for anything
 * else). Route throttles are for all callers of a route together; the limits per caller are the functions'.
 */
import { Duration } from 'aws-cdk-lib';
import { CfnStage, CorsHttpMethod, HttpApi as ApiGatewayHttpApi, HttpMethod, HttpStage, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { API_CORS, API_ROUTES, DEFAULT_ROUTE_THROTTLE, HTTP_API_NAME, routeKey, type FunctionRole } from '#contract/index';
import type { ShelcasterFunction } from './shelcaster-function.ts';

/** Name of the JWT authorizer. */
export const JWT_AUTHORIZER_NAME = 'shelcaster-jwt';

export interface JwtSettings {
  /** The token issuer (`iss`), an https URL whose `/.well-known/openid-configuration` API Gateway reads. */
  issuer: string;
  /** Accepted audiences (`aud`, or `client_id` of access tokens). */
  audience: readonly string[];
}

export interface HttpApiProps {
  functions: Readonly<Record<FunctionRole, ShelcasterFunction>>;
  jwt: JwtSettings;
  allowedOrigins: readonly string[];
}

export class HttpApi extends Construct {
  readonly api: ApiGatewayHttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    this.api = new ApiGatewayHttpApi(this, 'Api', {
      apiName: HTTP_API_NAME,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [...props.allowedOrigins],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.DELETE, CorsHttpMethod.OPTIONS],
        allowHeaders: [...API_CORS.allowHeaders],
        maxAge: Duration.hours(1),
      },
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: DEFAULT_ROUTE_THROTTLE.ratePerSecond, burstLimit: DEFAULT_ROUTE_THROTTLE.burst },
    });
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwt.issuer, {
      authorizerName: JWT_AUTHORIZER_NAME,
      jwtAudience: [...props.jwt.audience],
    });
    const routes: HttpRoute[] = [];
    for (const route of API_ROUTES) {
      const integration = new HttpLambdaIntegration(`${route.method}${route.path}`, props.functions[route.function], {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      });
      routes.push(
        ...this.api.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
          ...(route.authorized ? { authorizer } : {}),
        }),
      );
    }
    // Route settings name routes by key: the stage is created once they exist.
    const stage = this.stage.node.defaultChild as CfnStage;
    stage.routeSettings = Object.fromEntries(
      API_ROUTES.map((route) => [routeKey(route), { ThrottlingRateLimit: route.throttle.ratePerSecond, ThrottlingBurstLimit: route.throttle.burst }]),
    );
    for (const route of routes) this.stage.node.addDependency(route);
  }

  /** The API's base URL (the default stage). */
  get url(): string {
    return this.stage.url;
  }
}
