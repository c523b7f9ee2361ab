// A GET request's `variables` and `extensions` must be JSON: anything else is the caller's
// mistake, answered 400 without quoting the text (which may hold a password), never a 500.
import { describe, expect, it } from 'vitest';
import { useHarness } from '../harness.js';

const harness = useHarness();

/** GETs the GraphQL endpoint with these search parameters, as a client that passed CSRF prevention. */
async function get(params: Record<string, string>) {
  const response = await fetch(`${harness.url}?${new URLSearchParams(params)}`, { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } });
  return { status: response.status, contentType: response.headers.get('content-type'), requestId: response.headers.get('x-request-id'), body: await response.json() };
}

const QUERY = 'query Probe($hide: Boolean = false) { __typename @skip(if: $hide) }';
const PASSWORD = 'Sup3r-Secret-Passw0rd';

describe('useGetParamsGuard', () => {
  it.each(['variables', 'extensions'])('a GET whose %s is not JSON answers 400 BAD_REQUEST naming it, echoing nothing', async (name) => {
    const answer = await get({ query: QUERY, [name]: `{"password":"${PASSWORD}"` });

    expect(answer).toEqual({
      status: 400,
      contentType: 'application/json; charset=utf-8',
      requestId: expect.any(String),
      body: { errors: [{ message: `The "${name}" parameter is not valid JSON.`, extensions: { code: 'BAD_REQUEST', requestId: answer.requestId } }] },
    });
    expect(harness.logs.filter((line) => line.includes(PASSWORD))).toEqual([]);
  });

  it('lets a GET with JSON variables and extensions through to the operation', async () => {
    const answer = await get({ query: QUERY, variables: '{"hide":false}', extensions: '{}' });

    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('treats an empty parameter as absent', async () => {
    const answer = await get({ query: QUERY, variables: '', extensions: '' });

    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('leaves a POST alone: its variables come in the JSON body', async () => {
    const response = await fetch(`${harness.url}?variables=%7Bnot-json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: QUERY, variables: { hide: false } }),
    });

    expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });
});
