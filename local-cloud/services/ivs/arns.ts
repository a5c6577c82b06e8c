/**
 * IVS real-time resource ids and ARNs, spelled as IVS spells them
 * (`arn:aws:ivs:<region>:<account>:stage/<12 characters>`).
 */
import { randomBytes } from 'node:crypto';
import { LOCAL_ACCOUNT_ID } from '#local-cloud/gateway/provider';

/** The resource types of the IVS real-time control plane that the local cloud keeps. */
export type IvsResourceType = 'stage' | 'composition' | 'storage-configuration' | 'encoder-configuration';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Length of every IVS resource, participant and destination id. */
export const IVS_ID_LENGTH = 12;

/** A new random id of IVS's form: 12 letters and digits. */
export function newIvsId(): string {
  const bytes = randomBytes(IVS_ID_LENGTH * 2);
  let id = '';
  for (const byte of bytes) {
    // 248 is the largest multiple of 62 below 256: rejecting above it keeps the draw uniform.
    if (byte < 248) id += ID_ALPHABET[byte % ID_ALPHABET.length];
    if (id.length === IVS_ID_LENGTH) return id;
  }
  return id + newIvsId().slice(id.length);
}

/** The ARN of an IVS real-time resource. */
export function ivsArn(region: string, type: IvsResourceType, id: string): string {
  return `arn:aws:ivs:${region}:${LOCAL_ACCOUNT_ID}:${type}/${id}`;
}

const ARN_PATTERN = /^arn:aws:ivs:([a-z0-9-]+):([0-9]{12}):(stage|composition|storage-configuration|encoder-configuration)\/([a-zA-Z0-9]+)$/;

/** Splits an IVS ARN; undefined when it is not one. */
export function parseIvsArn(arn: string): { region: string; type: IvsResourceType; id: string } | undefined {
  const match = ARN_PATTERN.exec(arn);
  if (!match) return undefined;
  return { region: match[1]!, type: match[3] as IvsResourceType, id: match[4]! };
}
