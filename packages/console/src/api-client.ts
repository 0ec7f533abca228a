import { type ErrorCode, errorCodeOf, statusOf } from '@graylane/core';

/** One problem the server (or core's validation) found, with the dotted path of the field. */
export interface Issue {
  path: string;
  message: string;
}

/** An error answer of the control plane: `{"error": {code, message, issues}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Role = 'admin' | 'viewer';

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  del(path: string): Promise<void>;
}

/**
 * Calls the control plane with the signed-in token. A 401 means the token was
 * revoked: `onUnauthenticated` signs the user out instead of showing a broken page.
 */
export function createApiClient(token: string, onUnauthenticated: () => void = () => {}): ApiClient {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(
        statusOf('GL_CONTROL_PLANE_UNREACHABLE'),
        'GL_CONTROL_PLANE_UNREACHABLE',
        'the control plane cannot be reached: is it running?',
      );
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string; issues?: Issue[] } } | undefined)
        ?.error;
      if (res.status === 401) onUnauthenticated();
      throw new ApiError(
        res.status,
        // An answer without a code (a proxy's error page) gets the code its status stands for.
        errorCodeOf(error?.code, res.status),
        error?.message ?? `the control plane answered ${res.status}`,
        (error?.issues ?? []).map((i) => ({ path: i.path, message: i.message })),
      );
    }
    return json as T;
  }
  return {
    get: (path) => call('GET', path),
    put: (path, body) => call('PUT', path, body),
    post: (path, body) => call('POST', path, body),
    del: (path) => call('DELETE', path),
  };
}

/** Checks a token: it must read (viewer or admin); only an admin may list tokens. */
export async function whoIs(token: string): Promise<Role> {
  const api = createApiClient(token);
  try {
    await api.get('/v1/namespaces');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw new ApiError(401, error.code, 'this token is not known (revoked or mistyped)');
    }
    if (error instanceof ApiError && error.status === 403) {
      throw new ApiError(403, error.code, 'this is an agent token: sign in with a viewer or admin token');
    }
    throw error;
  }
  try {
    await api.get('/v1/tokens');
    return 'admin';
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return 'viewer';
    throw error;
  }
}

export const enc = encodeURIComponent;
