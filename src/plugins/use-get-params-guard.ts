import type { Plugin } from 'graphql-yoga';
import { requestScopeOf } from '../observability/request-scope.js';

const PARAMS_IN_JSON = ['variables', 'extensions'] as const;

/**
 * A GET request's `variables` and `extensions` must be JSON. Yoga 5 parses them unguarded: bad
 * JSON there is a 500 whose log line quotes the raw text (which may hold a password). This plugin
 * answers it first, as the request error it is: 400, without echoing anything.
 */
export function useGetParamsGuard(): Plugin {
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (request.method !== 'GET') return;
      for (const name of PARAMS_IN_JSON) {
        const value = url.searchParams.get(name);
        if (value === null || value === '') continue;
        try {
          JSON.parse(value);
        } catch {
          const { requestId } = requestScopeOf(request);
          const body = { errors: [{ message: `The "${name}" parameter is not valid JSON.`, extensions: { code: 'BAD_REQUEST', requestId } }] };
          endResponse(new fetchAPI.Response(JSON.stringify(body), { status: 400, headers: { 'content-type': 'application/json; charset=utf-8' } }));
          return;
        }
      }
    },
  };
}
