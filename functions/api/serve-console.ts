/**
 * GET /, GET /podcast, GET /assets/{proxy+} (no authorizer): the host console's files, bundled with this
 * function under `console/` (CDK copies CONSOLE_DIST_DIR there). The page has no local sign-in.
 */
import { fileURLToPath } from 'node:url';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ConsoleConfig } from '#contract/index';
import { readConsoleFile } from '../commons/console-assets.ts';
import { jsonResponse } from '../commons/http-responses.ts';
import { logger } from '../commons/powertools.ts';

/** Where the bundle keeps the console's files (next to the function's module). */
export const BUNDLED_CONSOLE_DIR = fileURLToPath(new URL('./console/', import.meta.url));

/** What the page is told on AWS. */
export const AWS_CONSOLE_CONFIG: ConsoleConfig = {};

/** Builds the handler over a folder of built console files. */
export function consoleHandler(distDir: string, config: ConsoleConfig) {
  return async (event: Pick<APIGatewayProxyEventV2, 'rawPath'>): Promise<APIGatewayProxyStructuredResultV2> => {
    const file = await readConsoleFile(distDir, event.rawPath, config);
    if (!file) return jsonResponse(404, { code: 'NOT_FOUND', message: 'There is no such file.' });
    return { statusCode: 200, headers: file.headers, body: file.body.toString('base64'), isBase64Encoded: true };
  };
}

export const handler = middy(consoleHandler(BUNDLED_CONSOLE_DIR, AWS_CONSOLE_CONFIG)).use(injectLambdaContext(logger, { resetKeys: true }));
