/**
 * Who is whom in the local cloud: the operator's documented keys (`test`/`test`) act as the account's
 * administrator; every other key is a temporary credential the local cloud issued for a role (a Lambda
 * function's execution role, an ECS task role, the state machine's role), as STS issues them on AWS:
 * an `ASIA...` access key id, a secret, a session token and an expiry, whose principal is the assumed-role
 * session `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
 *
 * The gateway asks `principalOf(accessKeyId)`; a signature verifier asks `secretOf` and `sessionTokenOf`.
 */
import { randomBytes } from 'node:crypto';
import { OPERATOR_ACCESS_KEY, WORKLOAD_ACCESS_KEY, type AccessKey, type AccessKeyLookup } from '../gateway/access-keys.ts';

/** The operator's documented keys (docs/local-cloud.md): the AWS CLI, the SDKs, `aws logs tail`. */
export const OPERATOR_CREDENTIALS = { accessKeyId: OPERATOR_ACCESS_KEY.accessKeyId, secretAccessKey: OPERATOR_ACCESS_KEY.secretAccessKey } as const;

/**
 * The local cloud's own key: what its services use when they act as AWS itself (the IVS recorder writing a
 * composition's segments to the bucket, as IVS's service does; the local cloud's own start-up calls).
 */
export const LOCAL_SERVICE_CREDENTIALS = { accessKeyId: WORKLOAD_ACCESS_KEY.accessKeyId, secretAccessKey: WORKLOAD_ACCESS_KEY.secretAccessKey } as const;

/** How long issued credentials last (Lambda's and ECS's are refreshed well before; the SDKs refresh early). */
export const TEMPORARY_CREDENTIALS_TTL_MS = 6 * 60 * 60 * 1000;

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export type Principal =
  | { kind: 'operator'; arn: string }
  | { kind: 'service'; arn: string }
  | { kind: 'role'; roleArn: string; arn: string; credentials: TemporaryCredentials };

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function accessKeyId(): string {
  const bytes = randomBytes(16);
  return `ASIA${Array.from(bytes, (b) => KEY_ALPHABET[b % KEY_ALPHABET.length]).join('')}`;
}

export class PrincipalRegistry implements AccessKeyLookup {
  private readonly issued = new Map<string, Principal & { kind: 'role' }>();

  constructor(
    private readonly account: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Issues temporary credentials for a role ARN, as sts:AssumeRole would for that service. */
  issue(roleArn: string, sessionName: string): TemporaryCredentials {
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    const credentials: TemporaryCredentials = {
      accessKeyId: accessKeyId(),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      expiration: new Date(this.now() + TEMPORARY_CREDENTIALS_TTL_MS),
    };
    const arn = `arn:aws:sts::${this.account}:assumed-role/${roleName}/${sessionName.replace(/[^\w+=,.@-]/g, '-').slice(0, 64)}`;
    this.issued.set(credentials.accessKeyId, { kind: 'role', roleArn, arn, credentials });
    return credentials;
  }

  /** Forgets credentials (a stopped task's). */
  revoke(accessKeyId: string): void {
    this.issued.delete(accessKeyId);
  }

  /** The principal behind an access key id; undefined for an unknown or expired key. */
  principalOf(accessKeyId: string | undefined): Principal | undefined {
    if (accessKeyId === undefined) return undefined;
    if (accessKeyId === OPERATOR_CREDENTIALS.accessKeyId) return { kind: 'operator', arn: `arn:aws:iam::${this.account}:root` };
    if (accessKeyId === LOCAL_SERVICE_CREDENTIALS.accessKeyId) return { kind: 'service', arn: `arn:aws:iam::${this.account}:root` };
    const principal = this.issued.get(accessKeyId);
    if (!principal) return undefined;
    if (principal.credentials.expiration.getTime() <= this.now()) {
      this.issued.delete(accessKeyId);
      return undefined;
    }
    return principal;
  }

  /** The key the gateway verifies a signature against, named by the principal's ARN. */
  lookup(accessKeyId: string): AccessKey | undefined {
    const principal = this.principalOf(accessKeyId);
    if (!principal) return undefined;
    if (principal.kind === 'operator') return { ...OPERATOR_ACCESS_KEY, identity: principal.arn };
    if (principal.kind === 'service') return { ...WORKLOAD_ACCESS_KEY, identity: principal.arn };
    const { credentials } = principal;
    return { accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken, identity: principal.arn };
  }

  /** The secret of a known access key id (for signature verification). */
  secretOf(accessKeyId: string): string | undefined {
    const principal = this.principalOf(accessKeyId);
    if (!principal) return undefined;
    if (principal.kind === 'operator') return OPERATOR_CREDENTIALS.secretAccessKey;
    if (principal.kind === 'service') return LOCAL_SERVICE_CREDENTIALS.secretAccessKey;
    return principal.credentials.secretAccessKey;
  }

  /** The session token that must accompany a temporary key (undefined for the operator's). */
  sessionTokenOf(accessKeyId: string): string | undefined {
    const principal = this.principalOf(accessKeyId);
    return principal?.kind === 'role' ? principal.credentials.sessionToken : undefined;
  }
}
