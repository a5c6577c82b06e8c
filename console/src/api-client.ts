/** The HTTP API as the console calls it: JSON in and out, the bearer token, errors with their code and message. */
import type { ApiErrorBody } from '#contract/routes';

/** An answer of the API that is not a success. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

/** The message of an error body: the API's `{code, message, issues}` or API Gateway's `{message}`. */
export function errorMessageOf(status: number, body: unknown): { code: string; message: string } {
  const typed = (body ?? {}) as Partial<ApiErrorBody> & { message?: string };
  const issues = typed.issues?.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  const base = typed.message ?? `HTTP ${status}`;
  return { code: typed.code ?? (status === 401 ? 'UNAUTHORIZED' : 'HTTP_ERROR'), message: issues ? `${base} (${issues})` : base };
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => string | undefined,
  ) {}

  /** Sends a request and answers the parsed JSON body (undefined for an empty body); throws ApiError. */
  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const token = this.token();
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ApiError(0, 'NETWORK_ERROR', `The API could not be reached (${method} ${path}).`, undefined, { cause: error });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const { code, message } = errorMessageOf(response.status, parsed);
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new ApiError(response.status, code, message, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
    }
    return parsed as T;
  }
}
