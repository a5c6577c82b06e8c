/**
 * How long the local cloud's HTTP servers keep an idle keep-alive connection: longer than any client keeps one.
 *
 * Node closes an idle connection after 5 s. Clients keep theirs about as long (undici, under Node's fetch,
 * 4 s: the server's `Keep-Alive: timeout=5` less a second; the AWS SDK's agent and Chromium longer), so on
 * a busy machine a client sent its next request on a connection the server was closing at that moment, and
 * got `other side closed` (undici does not resend a POST). A server that waits longer than its clients leaves
 * the closing to them, as AWS's endpoints do: the race is gone. Shutdown is unchanged (each server closes all
 * its connections).
 */
import type { Server } from 'node:http';

/** An idle connection is closed by the server after this long (ALB's default idle timeout is 60 s). */
export const IDLE_CONNECTION_TIMEOUT_MS = 65_000;

/** Lets the server keep idle keep-alive connections for IDLE_CONNECTION_TIMEOUT_MS. */
export function keepIdleConnections(server: Server): Server {
  server.keepAliveTimeout = IDLE_CONNECTION_TIMEOUT_MS;
  // A request's headers must be allowed at least as long (Node requires headersTimeout ≥ keepAliveTimeout's use).
  server.headersTimeout = IDLE_CONNECTION_TIMEOUT_MS + 1_000;
  return server;
}
