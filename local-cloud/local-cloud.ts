/**
 * The local cloud: every service provider behind one AWS endpoint, the local stage, the system deployed
 * into it from the contract, and the HTTP API in front. `startLocalCloud()` brings it all up; `close()`
 * stops everything it started (controller processes, Chromium, ffmpeg, workers, servers).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { systemClock } from './clock.ts';
import { startGateway, type Gateway } from './gateway/server.ts';
import { FAULTS_PATH, FaultInjector, type FaultSpec } from './gateway/faults.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './gateway/provider.ts';
import { createLogsProvider } from './services/logs/provider.ts';
import { LambdaProvider } from './services/lambda/provider.ts';
import { EventsProvider, type DeliverySemantics } from './services/events/provider.ts';
import { EcsProvider } from './services/ecs/provider.ts';
import { createSqsProvider } from './services/sqs/provider.ts';
import { createDynamoDbProvider } from './services/dynamodb/provider.ts';
import { createS3Provider } from './services/s3/provider.ts';
import { OriginPolicy } from './gateway/origin-policy.ts';
import { createIvsProvider } from './services/ivs/provider.ts';
import { createStepFunctionsProvider } from './services/stepfunctions/provider.ts';
import { StageParticipants } from './stage/stage-participants.ts';
import { StageEndpoint } from './stage/stage-endpoint.ts';
import { StageCompositionRecorder } from './stage/composition-recorder.ts';
import { s3RecordingStore } from './stage/recording-store.ts';
import { STAGE_MOUNT_PATH } from './stage/stage-server.ts';
import { followControlPlane, stageRoute } from './stage/stage-route.ts';
import { startApiServer, type ApiServer } from './api/server.ts';
import { localPages } from './pages/pages.ts';
import { DEMO_USER_ID, seedDemo } from './demo/seed-demo.ts';
import { deploySystem, LOCAL_CONTROLLER_IMAGE, type LocalDeployment } from './deploy/deploy-system.ts';
import type { FargateStartup } from './services/ecs/fargate-startup.ts';
import { CONTROLLER_COMMAND, CONTROLLER_ENVIRONMENT, CONTROLLER_WORKING_DIRECTORY } from '#controller/command';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createIamProvider } from './services/iam/provider.ts';
import { createSdkTaskResources } from './services/stepfunctions/sdk-task-resources.ts';
import { synthesizedTemplate } from './iam/template-cache.ts';
import { deployedArns, LocalIam } from './iam/local-iam.ts';
import { operationOfRequest } from './iam/authorizer.ts';
import { LOCAL_SERVICE_CREDENTIALS } from './iam/principals.ts';
import { rolesFromIamModel } from './deploy/roles.ts';
import { deliverySettingsFromTemplate } from './deploy/delivery-settings.ts';
import { AwsServiceError } from './gateway/json-protocol.ts';

export interface LocalCloudOptions {
  /** Where every service keeps its state (survives a restart). */
  dataDir: string;
  host?: string;
  awsPort: number;
  apiPort: number;
  /** Repository root (function entries and the controller command are relative to it). */
  root: string;
  /** Serves the console's static files and other pages on the API port. */
  staticHandler?: Parameters<typeof startApiServer>[0]['staticHandler'];
  /** Where the local cloud reports what it does (default stderr). */
  log?: (line: string) => void;
  /**
   * Extra environment for every controller process, over the image's own (controller/command.json): a test
   * hook, e.g. a Chromium path that does not exist, to see a controller that cannot join. `npm start` reads it
   * from SHELCASTER_CONTROLLER_ENV (JSON).
   */
  controllerEnvironment?: Record<string, string>;
  /** Upload the demo user's tracks (idempotent). `npm start` does unless SHELCASTER_SEED_DEMO=0. */
  seedDemo?: boolean;
  /**
   * Compositions the local IVS lets run at once: AWS's default quota (5) unless an operator raised it, as one
   * raises IVS's through Service Quotas. `npm start` reads SHELCASTER_IVS_COMPOSITION_QUOTA.
   */
  ivsCompositionQuota?: number;
  /**
   * Faults injected from the start (gateway/faults.ts); more can be set at run time through `/_local/faults`.
   * `npm start` reads SHELCASTER_FAULTS (a JSON array).
   */
  faults?: FaultSpec[];
  /**
   * EventBridge's at-least-once, any-order delivery (random delays, duplicates); exactly once and in order
   * without it. `npm start` reads SHELCASTER_EVENT_DELIVERY (JSON `{"duplicateRate":0.2,"maxDelayMs":500}`).
   */
  eventDelivery?: DeliverySemantics;
  /**
   * Fargate's start-up time for controller tasks (services/ecs/fargate-startup.ts); tasks start at once
   * without it. `npm start` models it (SHELCASTER_FARGATE_STARTUP_MS, default 30 s).
   */
  fargateStartup?: FargateStartup;
  /**
   * Web origins allowed in besides the API's own (the console's): `npm start` reads SHELCASTER_ALLOWED_ORIGINS
   * (origin-policy.ts). Any other Origin is refused by the AWS endpoint and the API before routing.
   */
  allowedOrigins?: readonly string[];
  /**
   * Evaluate every AWS request against the IAM of the synthesized template (AccessDenied as AWS answers it).
   * `npm start` reads SHELCASTER_IAM (`enforce`, the default, or `off`).
   */
  iamEnforcement?: boolean;
  /** Where the synthesized template is cached (default `cdk.out/local-cloud/`, or SHELCASTER_TEMPLATE_CACHE). */
  templateCacheDir?: string;
  /**
   * Idle controllers the warm pool keeps (contract/warm-pool.ts; default WARM_POOL_SIZE.local, 0: no pool).
   * `npm start` reads SHELCASTER_WARM_POOL_SIZE.
   */
  warmPoolSize?: number;
  /**
   * How long a deleted SQS queue goes on answering (AWS: up to 60 s; default 0, gone at once). `npm start`
   * reads SHELCASTER_SQS_DELETE_DELAY_MS (default 60 s).
   */
  sqsDeleteQueueDelayMs?: number;
}

export interface LocalCloud {
  endpoint: string;
  apiUrl: string;
  deployment: LocalDeployment;
  /** The IAM in force (roles and policies of the synthesized template) and the principals. */
  iam: LocalIam;
  /** Issues a bearer token for the local API. */
  issueToken(userId: string): Promise<string>;
  close(): Promise<void>;
}

/** The environment that points AWS SDKs and CLIs at the local cloud. */
export function cloudEnvironmentFor(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_SERVICE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_SERVICE_CREDENTIALS.secretAccessKey,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
  };
}

/** Starts every service, deploys the system and serves the API. */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dataDir = options.dataDir;
  await mkdir(dataDir, { recursive: true });
  // The IAM it enforces is the synthesized template's (cached by a hash of infra/ and contract/).
  const template = await synthesizedTemplate(options.root, options.templateCacheDir);
  const iam = new LocalIam({
    template,
    account: LOCAL_ACCOUNT_ID,
    region: LOCAL_REGION,
    enforce: options.iamEnforcement ?? true,
    onDenied: (message) => log(`[iam] AccessDenied: ${message}`),
  });
  // The AWS endpoint listens first (port 0 picks a free one without a race), so everything that needs its
  // URL gets the real one; providers and the stage's routes are added once they exist.
  const faults = new FaultInjector();
  faults.add(options.faults ?? []);
  // One origin policy for both servers: the operator's origins now, the API's own once it listens.
  const originPolicy = new OriginPolicy(options.allowedOrigins ?? []);
  const gateway: Gateway = await startGateway({
    host,
    port: options.awsPort,
    providers: [],
    faults,
    originPolicy,
    accessKeys: iam.principals,
    authorize: (request, service, requestId) => iam.authorize(request, service, requestId),
    // REST requests (Lambda's Invoke, S3, IVS) name their operation as IAM's mapping reads it.
    operationOf: (request, service) => operationOfRequest(request, service, { account: LOCAL_ACCOUNT_ID, region: LOCAL_REGION }),
    onError: (error, entry) => log(`[aws] ${entry.service} ${entry.operation ?? entry.path} failed: ${error instanceof Error ? error.stack : String(error)}`),
  });
  gateway.mount({ prefix: FAULTS_PATH, request: (req, res) => faults.answer(req, res) });
  const endpoint = gateway.url;
  const cloudEnvironment = cloudEnvironmentFor(endpoint);
  // This process's own SDK clients (Step Functions tasks, the recorder's uploads) reach the local cloud
  // through the same standard configuration as everything else.
  Object.assign(process.env, cloudEnvironment);

  // One clock for every service: the wall clock (tests of a single service give it a manual one).
  const clock = systemClock;
  const logs = createLogsProvider({ dataDir, clock });
  // Each function runs with its role's temporary credentials, each task gets its task role's from the
  // container credentials endpoint, and Step Functions' integrations call as the state machine's role.
  const roleCredentials = (roleArn: string, sessionName: string) => iam.sessions.current(roleArn, sessionName);
  const lambda = new LambdaProvider({
    logs,
    cloudEnvironment,
    region: LOCAL_REGION,
    clock,
    roleCredentials,
    onAsyncInvocationDropped: (dropped) =>
      log(`[lambda] ${dropped.functionName}: asynchronous invocation ${dropped.requestId} dropped after ${dropped.attempts} attempt(s) (${dropped.reason}, ${dropped.errorType})`),
  });
  // A `killCaller` fault kills the function environment that signed the request it matches.
  faults.setFunctionHost(lambda);
  // EventBridge's calls to Lambda meet the faults injected on Lambda's Invoke (throttling, an outage), as its
  // calls on AWS meet Lambda's; the target's retry policy then decides.
  const eventTargets = {
    invoke: async (...args: Parameters<LambdaProvider['invoke']>) => {
      const fault = await faults.failure('lambda', 'Invoke');
      if (fault) throw new AwsServiceError(fault.code, fault.message, fault.status);
      return lambda.invoke(...args);
    },
  };
  // A target's dead-letter queue gets the undeliverable event as EventBridge sends it (as AWS's own service).
  const deadLetterSqs = new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_SERVICE_CREDENTIALS });
  const events = new EventsProvider({
    invoker: eventTargets,
    clock,
    deadLetters: {
      async send(queueArn, event, attributes) {
        const [, , , , account, name] = queueArn.split(':');
        await deadLetterSqs.send(
          new SendMessageCommand({
            QueueUrl: `${endpoint}/${account}/${name}`,
            MessageBody: JSON.stringify(event),
            MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, { DataType: 'String', StringValue: value }])),
          }),
        );
      },
    },
    dataDir,
    ...(options.eventDelivery ? { delivery: options.eventDelivery } : {}),
    onDeliveryFailure: (failure) =>
      log(
        `[events] rule ${failure.ruleName}: delivery of ${failure.eventId} to ${failure.targetArn} failed after ${failure.attempts} attempt(s): ${failure.reason}${failure.deadLetterArn ? `; sent to ${failure.deadLetterArn}` : '; dropped'}`,
      ),
  });
  const [program, ...args] = CONTROLLER_COMMAND;
  const ecs = new EcsProvider({
    images: {
      [LOCAL_CONTROLLER_IMAGE]: {
        // `node` in the shared command is Node 22: here, the Node this local cloud runs on.
        command: [program === 'node' ? process.execPath : program!, ...args],
        cwd: CONTROLLER_WORKING_DIRECTORY,
        // The image's own environment (the Dockerfile's ENV), then what this local cloud was told to add.
        environment: { ...CONTROLLER_ENVIRONMENT, ...options.controllerEnvironment },
      },
    },
    logs,
    events,
    cloudEnvironment,
    roleCredentials: iam.sessions,
    dataDir,
    region: LOCAL_REGION,
    clock,
    ...(options.fargateStartup ? { fargateStartup: options.fargateStartup } : {}),
  });
  const sqs = createSqsProvider({ dataDir, clock, deleteQueueDelayMs: options.sqsDeleteQueueDelayMs ?? 0 });
  const dynamodb = createDynamoDbProvider({ dataDir });
  const s3 = createS3Provider({ dataDir, clock });

  const participants = new StageParticipants();
  const recorder = new StageCompositionRecorder({
    participants,
    store: s3RecordingStore(new S3Client({ forcePathStyle: true })),
    journalDir: join(dataDir, 'stage'),
    onError: (message, error) => log(`[stage] ${message}: ${error instanceof Error ? error.message : String(error)}`),
  });
  const ivs = await createIvsProvider({
    dataDir,
    stageBaseUrl: `${endpoint}${STAGE_MOUNT_PATH}`,
    recorder,
    events,
    resumeOnStart: false,
    ...(options.ivsCompositionQuota ? { compositionQuota: options.ivsCompositionQuota } : {}),
  });
  const stage = new StageEndpoint({
    verify: (token) => ivs.verifyParticipantToken(token),
    participants,
    onError: (message, error) => log(`[stage] ${message}: ${error instanceof Error ? error.message : String(error)}`),
  });
  followControlPlane(stage, ivs);
  const roleClients = new Map<string, { lambda: LambdaClient; sqs: SQSClient }>();
  const clientsFor = (roleArn: string) => {
    let clients = roleClients.get(roleArn);
    if (!clients) {
      const credentials = async () => iam.sessions.current(roleArn, 'states');
      clients = { lambda: new LambdaClient({ credentials }), sqs: new SQSClient({ credentials }) };
      roleClients.set(roleArn, clients);
    }
    return clients;
  };
  const sfn = createStepFunctionsProvider({
    dataDir,
    resume: false,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    clock,
    resources: createSdkTaskResources({ clientsFor }),
  });
  iam.setResolvers({
    stateMachineOfToken: (token) => sfn.engine.stateMachineOfToken(token),
    taskDefinition: (reference) => ecs.taskDefinitionOf(reference),
  });
  const iamProvider = createIamProvider({ model: () => iam.model });

  for (const provider of [sfn, sqs, dynamodb, s3, logs, lambda, events, ecs, ivs, iamProvider]) gateway.addProvider(provider);
  gateway.mount(stageRoute(stage));

  let api: ApiServer | undefined;
  try {
    const deployment = await deploySystem({
      endpoint,
      account: LOCAL_ACCOUNT_ID,
      region: LOCAL_REGION,
      root: options.root,
      ...(options.ivsCompositionQuota ? { compositionQuota: options.ivsCompositionQuota } : {}),
      ...(options.warmPoolSize !== undefined ? { warmPoolSize: options.warmPoolSize } : {}),
      registerFunction: (fn) => {
        lambda.register(fn);
      },
      roles: rolesFromIamModel(iam.model),
      delivery: deliverySettingsFromTemplate(template, LOCAL_ACCOUNT_ID, LOCAL_REGION),
      invokeFunctionAsync: async (functionName, payload) => {
        await lambda.invoke(functionName, payload, 'Event');
      },
    });
    iam.setPhysicalArns(deployedArns(template, deployment));
    // After a restart: recordings of live compositions go on (through the gateway, now up), the others are
    // closed with what was uploaded; tasks whose processes are gone are reported STOPPED (and replaced).
    ivs.resumeCompositions();
    await ivs.settled();
    await recorder.recoverUnfinished();
    await ecs.recoverAfterRestart();
    sfn.engine.resume();
    api = await startApiServer({
      host,
      port: options.apiPort,
      dataDir,
      invoker: lambda,
      routes: deployment.httpApi.routes,
      audience: deployment.httpApi.audience,
      originPolicy,
      // The console and the executions pages (console/pages.ts) unless the caller serves its own static pages.
      staticHandler:
        options.staticHandler ??
        localPages({ root: options.root, executions: { onError: (message, error) => log(`[console] ${message}: ${String(error)}`) } }),
    });
    const apiServer = api;
    if (options.seedDemo) {
      // A demo user's track list, so a newcomer can click play within a minute of cloning.
      await seedDemo({ apiUrl: apiServer.url, token: await apiServer.issueToken(DEMO_USER_ID), log }).catch((error: unknown) =>
        log(`[demo] seeding the demo tracks failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    let closing: Promise<void> | undefined;
    return {
      endpoint,
      apiUrl: apiServer.url,
      deployment,
      iam,
      issueToken: (userId) => apiServer.issueToken(userId),
      close() {
        closing ??= (async () => {
          // Order matters: no more scheduled work (the warm pool's refill), then controllers (their STOPPED
          // events still reach the functions), then the stage and its recorder (ffmpeg), then the rest.
          events.stopSchedules();
          await apiServer.close();
          await ecs.close();
          await events.drain();
          await recorder.close();
          await stage.close();
          sfn.engine.close();
          await gateway.close();
          deadLetterSqs.destroy();
        })();
        return closing;
      },
    };
  } catch (error) {
    await api?.close();
    await ecs.close();
    await recorder.close();
    await stage.close();
    await gateway.close();
    deadLetterSqs.destroy();
    throw error;
  }
}
