import type { QueryResult } from '@graylane/core';

/**
 * Evaluates an instant PromQL query at `atMs` (GET /api/v1/query). A metric
 * needs one number: a scalar, or a vector with exactly one series.
 */
export async function queryPrometheus(address: string, query: string, atMs: number): Promise<QueryResult> {
  const url = new URL('/api/v1/query', address);
  url.searchParams.set('query', query);
  url.searchParams.set('time', String(atMs / 1000));
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: unknown };
    };
    if (body.status !== 'success' || !body.data) {
      return { error: `GL_PROMETHEUS_QUERY_FAILED: ${body.error ?? `HTTP ${res.status}`}` };
    }
    const { resultType, result } = body.data;
    let raw: unknown;
    if (resultType === 'scalar') raw = (result as [number, string])[1];
    else if (resultType === 'vector') {
      const list = result as Array<{ value: [number, string] }>;
      if (list.length !== 1) {
        return { error: `GL_PROMETHEUS_QUERY_FAILED: the query returned ${list.length} series, not one` };
      }
      raw = list[0]!.value[1];
    } else return { error: `GL_PROMETHEUS_QUERY_FAILED: the query returned a ${resultType}, not one number` };
    const value = Number(raw);
    if (!Number.isFinite(value))
      return { error: `GL_PROMETHEUS_QUERY_FAILED: the query returned ${String(raw)}` };
    return { value };
  } catch (error) {
    return { error: `GL_PROMETHEUS_QUERY_FAILED: ${address} did not answer (${(error as Error).message})` };
  }
}
