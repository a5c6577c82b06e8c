/**
 * Credentials of a role's session, kept fresh: the service that runs as a role (Lambda for a function,
 * ECS for a task, Step Functions for a state machine) asks for the current credentials and gets new ones
 * once the old ones are within REFRESH_BEFORE_EXPIRY_MS of expiring, as those services rotate them on AWS.
 */
import type { PrincipalRegistry, TemporaryCredentials } from './principals.ts';

/** How long before expiry credentials are replaced. */
export const REFRESH_BEFORE_EXPIRY_MS = 15 * 60 * 1000;

/** The environment variables Lambda sets for a function's role credentials. */
export function credentialEnvironment(credentials: TemporaryCredentials): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
  };
}

export class RoleSessions {
  private readonly sessions = new Map<string, TemporaryCredentials>();

  constructor(
    private readonly registry: PrincipalRegistry,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current credentials of the session `sessionName` of `roleArn`, issued or refreshed as needed. */
  current(roleArn: string, sessionName: string): TemporaryCredentials {
    const key = `${roleArn}\0${sessionName}`;
    const held = this.sessions.get(key);
    if (held && held.expiration.getTime() - this.now() > REFRESH_BEFORE_EXPIRY_MS) return held;
    if (held) this.registry.revoke(held.accessKeyId);
    const fresh = this.registry.issue(roleArn, sessionName);
    this.sessions.set(key, fresh);
    return fresh;
  }

  /** Ends a session (a stopped task): its credentials stop working. */
  end(roleArn: string, sessionName: string): void {
    const key = `${roleArn}\0${sessionName}`;
    const held = this.sessions.get(key);
    if (held) this.registry.revoke(held.accessKeyId);
    this.sessions.delete(key);
  }
}
