/**
 * The access keys the local AWS endpoint knows: access key id → secret, an optional session token (temporary
 * credentials must present it, as STS-issued keys do on AWS) and a label saying whose key it is. The gateway
 * verifies every signature against this registry; a key that is not here is unknown, as on AWS.
 *
 * Two keys are known from the start:
 * - the operator's documented key `test` / `test`: the AWS CLIs, the SDKs, `aws logs tail`, the deployer and
 *   the tests. It acts as an administrator of the local account.
 * - the local cloud's own key `local` / `test`: what its services use when they act as AWS itself (the IVS
 *   recorder writing a composition's segments, Step Functions' start-up calls).
 * With IAM (local-cloud/iam/principals.ts) the functions, tasks and the state machine sign with temporary
 * credentials issued for their roles; the principal registry answers `lookup` for those too.
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

/** The local cloud's own key, for its services acting as AWS itself. */
export const WORKLOAD_ACCESS_KEY: AccessKey = { accessKeyId: 'local', secretAccessKey: 'test', identity: 'local-cloud-workload' };

/** Where the gateway finds a key: this registry, or the local cloud's IAM principals (local-cloud/iam). */
export interface AccessKeyLookup {
  lookup(accessKeyId: string): AccessKey | undefined;
}

/** The registry of known access keys. */
export class AccessKeyRegistry implements AccessKeyLookup {
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
