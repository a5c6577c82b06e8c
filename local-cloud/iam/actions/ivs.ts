/**
 * IVS real-time (rest-json `POST /<Operation>`): the action is `ivs:<Operation>`, on the stage, composition
 * or configuration ARN the body names (`arn`, `stageArn`), or on `<kind>/*` for creations and lists.
 */
import { jsonBody, str, type ServiceActions } from './types.ts';

/** Operations that create a resource: the ARN of its kind with any id. */
const CREATES: Record<string, string> = {
  CreateStage: 'stage',
  StartComposition: 'composition',
  CreateStorageConfiguration: 'storage-configuration',
  CreateEncoderConfiguration: 'encoder-configuration',
};

export const ivsActions: ServiceActions = {
  service: 'ivs',
  actionsOf(request, { account, region }) {
    if (request.path.startsWith('/tags/')) {
      const arn = decodeURIComponent(request.path.slice('/tags/'.length));
      const operation = request.method === 'POST' ? 'TagResource' : request.method === 'DELETE' ? 'UntagResource' : 'ListTagsForResource';
      return { operation, requested: [{ action: `ivs:${operation}`, resource: arn }] };
    }
    const operation = request.path.slice(1);
    const body = jsonBody(request);
    const action = `ivs:${operation}`;
    const kind = CREATES[operation];
    if (kind) {
      const requested = [{ action, resource: `arn:aws:ivs:${region}:${account}:${kind}/*` }];
      const stageArn = str(body.stageArn);
      // StartComposition also acts on its stage.
      if (stageArn) requested.push({ action, resource: stageArn });
      return { operation, requested };
    }
    const resource = str(body.arn) ?? str(body.stageArn) ?? '*';
    return { operation, requested: [{ action, resource }] };
  },
};
