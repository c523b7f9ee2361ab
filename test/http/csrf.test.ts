import { describe, expect, it } from 'vitest';
import { DEMO_BUYER } from '../../src/sandbox/index.js';
import { useHarness } from '../harness.js';

const CSRF_REFUSAL = { status: 403, body: { errors: [{ message: 'Required CSRF header(s) not present', extensions: { requestId: expect.any(String) } }] } };

const answer = async (response: Response) => ({ status: response.status, body: await response.json() });

// On in every mode, so that a client which works against a development gateway works in production.
describe.each(['development', 'production'])('CSRF prevention (NODE_ENV=%s)', (mode) => {
  const harness = useHarness({ env: { NODE_ENV: mode } });

  it('refuses a form-encoded POST, which a cross-site <form> can send without a preflight', async () => {
    const form = new URLSearchParams({
      query: 'mutation($input: LoginInput!) { login(input: $input) { token { value } } }',
      variables: JSON.stringify({ input: DEMO_BUYER }),
    });
    const response = await fetch(harness.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(await answer(response)).toEqual(CSRF_REFUSAL);
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('refuses a text/plain POST', async () => {
    const response = await fetch(harness.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(await answer(response)).toEqual(CSRF_REFUSAL);
  });

  it('refuses a GET without headers', async () => {
    expect(await answer(await fetch(`${harness.url}?query=${encodeURIComponent('{ __typename }')}`))).toEqual(CSRF_REFUSAL);
  });

  it('answers a GET that carries x-graphql-yoga-csrf (a header only a preflighted request can add)', async () => {
    const response = await fetch(`${harness.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(await answer(response)).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('answers an ordinary JSON POST', async () => {
    const reply = await harness.graphql('{ __typename }');
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });
});
