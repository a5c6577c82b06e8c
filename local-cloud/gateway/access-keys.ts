/**
 * The access keys the local AWS endpoint knows: access key id → secret, an optional session token (temporary
 * credentials must present it, as STS-issued keys do on AWS) and a label saying whose key it is. The gateway
 * verifies every signature against this registry; a key that is not here is unknown, as on AWS.
 *
 * Two keys are known from the start:
 * - the operator's documented key `test` / `test`: the AWS CLIs, the SDKs, `aws logs tail`, the deployer and
 *   the tests. It acts as an administrator of the local account.
 * - the local cloud's workload key `local` / `test`: what the Lambda functions and the ECS tasks (the
 *   controller) are given in their environment today, and the local cloud's own in-process clients.
 * Other keys (per-role temporary credentials) are added with `register` and removed with `remove`.
 */

/** One known access key. */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Required on every request signed with this key when set (`X-Amz-Security-Token`). */
  sessionToken?: string;
  /** Whose key this is (`operator`, a role ARN, ...): what the gateway reports as the caller's identity. */
  identity: string;
}

/** The documented operator credentials (administrator of the local account). */
export const OPERATOR_ACCESS_KEY: AccessKey = { accessKeyId: 'test', secretAccessKey: 'test', identity: 'operator' };

/** The credentials the local cloud gives its Lambda functions, ECS tasks and its own SDK clients. */
export const WORKLOAD_ACCESS_KEY: AccessKey = { accessKeyId: 'local', secretAccessKey: 'test', identity: 'local-cloud-workload' };

/** The registry of known access keys. */
export class AccessKeyRegistry {
  private readonly keys = new Map<string, AccessKey>();

  constructor(keys: readonly AccessKey[] = [OPERATOR_ACCESS_KEY, WORKLOAD_ACCESS_KEY]) {
    for (const key of keys) this.register(key);
  }

  /** Adds (or replaces) a key. */
  register(key: AccessKey): void {
    this.keys.set(key.accessKeyId, { ...key });
  }

  /** Forgets a key; requests signed with it are then refused as signed with an unknown key. */
  remove(accessKeyId: string): void {
    this.keys.delete(accessKeyId);
  }

  lookup(accessKeyId: string): AccessKey | undefined {
    return this.keys.get(accessKeyId);
  }
}
