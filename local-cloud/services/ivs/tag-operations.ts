/** TagResource, UntagResource and ListTagsForResource (`/tags/{resourceArn}`). */
import { parseIvsArn } from './arns.ts';
import type { IvsContext } from './context.ts';
import { ivsError } from './rest-json.ts';
import { optionalTags } from './validation.ts';
import type { Json } from './validation.ts';

function taggedResource(ctx: IvsContext, resourceArn: string): { tags: Record<string, string> } {
  if (!parseIvsArn(resourceArn)) throw ivsError('ValidationException', 'resourceArn is not a valid IVS real-time ARN');
  const resource = ctx.store.taggable(resourceArn);
  if (!resource) throw ivsError('ResourceNotFoundException', `Resource not found: ${resourceArn}`);
  return resource;
}

/** GET /tags/{resourceArn}. */
export function listTagsForResource(ctx: IvsContext, resourceArn: string) {
  return { tags: taggedResource(ctx, resourceArn).tags };
}

/** POST /tags/{resourceArn} with `{tags}`. */
export function tagResource(ctx: IvsContext, resourceArn: string, body: Json) {
  const resource = taggedResource(ctx, resourceArn);
  const tags = optionalTags(body);
  if (!tags) throw ivsError('ValidationException', 'tags is required');
  const merged = { ...resource.tags, ...tags };
  if (Object.keys(merged).length > 50) throw ivsError('ValidationException', 'A resource can hold at most 50 tags');
  resource.tags = merged;
  ctx.store.save();
  return {};
}

/** DELETE /tags/{resourceArn}?tagKeys=... */
export function untagResource(ctx: IvsContext, resourceArn: string, tagKeys: string[]) {
  const resource = taggedResource(ctx, resourceArn);
  if (tagKeys.length === 0) throw ivsError('ValidationException', 'tagKeys is required');
  resource.tags = Object.fromEntries(Object.entries(resource.tags).filter(([key]) => !tagKeys.includes(key)));
  ctx.store.save();
  return {};
}
