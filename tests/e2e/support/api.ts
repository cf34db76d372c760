import { apiRequest, readResult, type ApiOptions, type ApiResult } from '../../support/api';
import { baseUrl } from './shared-server';

/** One call to the JSON API (`/api/v1${path}`) of the server at `serverUrl`. */
export async function apiCall(serverUrl: string, method: string, path: string, options: ApiOptions = {}): Promise<ApiResult> {
  return readResult(await fetch(apiRequest(`${serverUrl}/api/v1${path}`, method, options)));
}

/** The same, to the shared server. */
export const api = (method: string, path: string, options?: ApiOptions) => apiCall(baseUrl(), method, path, options);

/** Any request, sent as it is (no client address, no JSON): for what the server does before the app sees it. */
export async function httpCall(url: string, method: string, { body, headers = {} }: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<ApiResult> {
  return readResult(await fetch(url, { method, headers, body, redirect: 'manual', duplex: 'half' } as RequestInit));
}
