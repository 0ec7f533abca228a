import { ADMIN } from './store-fixture.js';

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  body: any;
  headers: Headers;
}

/** A tiny client for tests: JSON in, JSON out, admin token unless told otherwise. */
export function api(baseUrl: string, token: string | undefined = ADMIN) {
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const h: Record<string, string> = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (method === 'GET' || method === 'HEAD') payload = undefined;
    else if (typeof body === 'string') payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(baseUrl + path, { method, headers: h, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: res.status, body: parsed, headers: res.headers };
  };
}

export const laneYaml = (name: string, tag = name, extra = '') => `apiVersion: graylane.io/v1
kind: Lane
metadata: { name: ${name} }
spec:
  tag: ${tag}
  priority: 100
  entry:
    apps: [spring-cloud-a]
    match:
      all:
        - { source: query, name: name, op: eq, value: xiaoming }
  fallback: baseline
${extra}`;
