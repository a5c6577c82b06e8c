/**
 * Route selection as the HTTP API does it: a route key `METHOD /path` where `{name}` matches one path
 * segment and `{name+}` the rest of the path; routes with more literal segments win. No route → 404.
 */
import type { ApiRoute } from '#contract/api-routes';

export interface RouteMatch {
  route: ApiRoute;
  /** Path parameters, URL-decoded. */
  pathParameters: Record<string, string>;
}

type Segment = { literal: string } | { param: string; greedy: boolean };

interface CompiledRoute {
  route: ApiRoute;
  segments: Segment[];
  literals: number;
}

function compile(route: ApiRoute): CompiledRoute {
  const segments = route.path
    .split('/')
    .slice(1)
    .map((part): Segment => {
      const param = /^\{([^}+]+)(\+?)\}$/.exec(part);
      return param ? { param: param[1]!, greedy: param[2] === '+' } : { literal: part };
    });
  return { route, segments, literals: segments.filter((s) => 'literal' in s).length };
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if ('literal' in segment) {
      if (parts[i] !== segment.literal) return undefined;
    } else if (segment.greedy) {
      if (parts.length <= i) return undefined;
      params[segment.param] = parts.slice(i).join('/');
      return params;
    } else {
      if (parts[i] === undefined || parts[i] === '') return undefined;
      params[segment.param] = parts[i]!;
    }
  }
  return parts.length === segments.length ? params : undefined;
}

/** A matcher over a route table. */
export function createRouteMatcher(routes: readonly ApiRoute[]) {
  const compiled = routes.map(compile).sort((a, b) => b.literals - a.literals || b.segments.length - a.segments.length);
  return function match(method: string, decodedPath: string): RouteMatch | undefined {
    const parts = decodedPath.split('/').slice(1);
    for (const candidate of compiled) {
      if (candidate.route.method !== method.toUpperCase()) continue;
      const pathParameters = matchSegments(candidate.segments, parts);
      if (pathParameters) return { route: candidate.route, pathParameters };
    }
    return undefined;
  };
}

/** Decodes a request path as API Gateway does before routing (each `%xx`; a malformed escape is left as sent). */
export function decodePath(rawPath: string): string {
  return rawPath
    .split('/')
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    })
    .join('/');
}
