/**
 * The HTTP API: every route of the contract's API_ROUTES to its function (Lambda proxy, payload format 2.0),
 * guarded by a JWT authorizer where the route says so, with CORS and throttling on the default stage.
 */
import { Duration } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi as ApiGatewayHttpApi, HttpMethod, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { API_CORS, API_ROUTES, HTTP_API_NAME, type FunctionRole } from '#contract/index';
import type { ShelcasterFunction } from './shelcaster-function.ts';

/** Steady requests per second and burst the default stage allows (account-wide per API). */
export const API_THROTTLE_RATE_PER_SECOND = 50;
export const API_THROTTLE_BURST = 100;

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
      throttle: { rateLimit: API_THROTTLE_RATE_PER_SECOND, burstLimit: API_THROTTLE_BURST },
    });
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwt.issuer, {
      authorizerName: JWT_AUTHORIZER_NAME,
      jwtAudience: [...props.jwt.audience],
    });
    for (const route of API_ROUTES) {
      const integration = new HttpLambdaIntegration(`${route.method}${route.path}`, props.functions[route.function], {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      });
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(route.authorized ? { authorizer } : {}),
      });
    }
  }

  /** The API's base URL (the default stage). */
  get url(): string {
    return this.stage.url;
  }
}
