// The one place the gateway's failure modes become GraphQL errors: each expected failure answers
// its stable code and fixed words, anything else is masked as "Unexpected error." and logged with
// its cause, and no secret reaches the answer or the log.
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import {
  CredentialsRejectedError,
  ForbiddenError,
  InputValidationError,
  RateLimitedError,
  TokenRejectedError,
  UpstreamGraphQLError,
  UpstreamHttpError,
  UpstreamRateLimitError,
  UpstreamResponseShapeError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../../src/errors/gateway-errors.js';
import { createLogger } from '../../src/observability/logger.js';
import { UNEXPECTED_ERROR_MESSAGE, useErrorMapping } from '../../src/plugins/use-error-mapping.js';

const X_AUTH_TOKEN = 'x-auth-token-0123456789abcdef';
const ENDPOINT = 'POST /api/io/auth/customers';

/**
 * A Yoga server whose `fail` field throws `error`, with the gateway's error mapping and its
 * masking settings, and the JSON lines its logger wrote.
 */
function serverThrowing(error: unknown) {
  const lines: string[] = [];
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { fail: String, ok(n: Int): Int }',
      resolvers: {
        Query: {
          fail: () => {
            throw error;
          },
          ok: () => 1,
        },
      },
    }),
    plugins: [useErrorMapping(createLogger({ level: 'debug', write: (line) => lines.push(line), secrets: [X_AUTH_TOKEN] }))],
    maskedErrors: { isDev: false, errorMessage: UNEXPECTED_ERROR_MESSAGE },
    logging: false,
  });
  return {
    lines,
    async ask(query = '{ fail ok }') {
      const response = await yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'request-1' },
        body: JSON.stringify({ query }),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    },
    /** The log lines, parsed, without their time. */
    logged: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).map(({ time: _time, ...entry }) => entry),
  };
}

/** The answer to `{ fail ok }` when `fail` failed with this error. */
const failedWith = (message: string, extensions: Record<string, unknown>) => ({
  status: 200,
  body: { data: { fail: null, ok: 1 }, errors: [{ message, locations: [{ line: 1, column: 3 }], path: ['fail'], extensions }] },
});

/** The failures the gateway expects, each with the answer a client gets and the level it is logged at. */
const EXPECTED = [
  {
    error: new InputValidationError('input.email', 'must be a valid email address'),
    answer: failedWith('input.email: must be a valid email address', { code: 'BAD_USER_INPUT', field: 'input.email' }),
    level: 'debug',
  },
  {
    error: new ForbiddenError('This gateway does not serve that store.'),
    answer: failedWith('This gateway does not serve that store.', { code: 'FORBIDDEN' }),
    level: 'info',
  },
  {
    error: new CredentialsRejectedError('no such customer'),
    answer: failedWith('Invalid email or password.', { code: 'UNAUTHENTICATED' }),
    level: 'info',
  },
  {
    error: new TokenRejectedError('the JWT expired'),
    answer: failedWith('Invalid or expired token.', { code: 'UNAUTHENTICATED' }),
    level: 'info',
  },
  {
    error: new RateLimitedError(42, 'account budget of 5 a minute spent'),
    answer: failedWith('Too many sign-in attempts; try again later.', { code: 'RATE_LIMITED', retryAfter: 42 }),
    level: 'info',
  },
  {
    error: new UpstreamRateLimitError(ENDPOINT, 7),
    answer: failedWith('BigCommerce is rate limiting this store; try again later.', { code: 'RATE_LIMITED', retryAfter: 7 }),
    level: 'warn',
  },
  {
    error: new UpstreamRateLimitError(ENDPOINT, undefined),
    answer: failedWith('BigCommerce is rate limiting this store; try again later.', { code: 'RATE_LIMITED' }),
    level: 'warn',
  },
  {
    error: new UpstreamTimeoutError(ENDPOINT, 10_000),
    answer: failedWith('BigCommerce did not answer in time.', { code: 'UPSTREAM_TIMEOUT' }),
    level: 'warn',
  },
  {
    error: new UpstreamUnavailableError(ENDPOINT, 'connection refused'),
    answer: failedWith('BigCommerce is unavailable.', { code: 'UPSTREAM_UNAVAILABLE' }),
    level: 'warn',
  },
  {
    error: new UpstreamResponseShapeError(ENDPOINT, 'the answer holds no token'),
    answer: failedWith('BigCommerce answered in an unexpected shape.', { code: 'UPSTREAM_BAD_RESPONSE' }),
    level: 'warn',
  },
];

/** The test's title: what the client gets, at which log level. */
const titleOf = ({ error, answer, level }: (typeof EXPECTED)[number]) => {
  const [first] = answer.body.errors;
  const variant = error instanceof UpstreamRateLimitError && error.retryAfterSeconds === undefined ? ' without Retry-After' : '';
  return `${error.name}${variant} answers ${String(first?.extensions['code'])} "${first?.message}", logged at ${level}`;
};

describe('useErrorMapping: the failures the gateway expects', () => {
  for (const row of EXPECTED) {
    it(titleOf(row), async () => {
      const { error, answer, level } = row;
      const server = serverThrowing(error);

      expect(await server.ask()).toEqual(answer);
      expect(server.logged()).toEqual([
        {
          level,
          msg: 'operation failed',
          code: answer.body.errors[0]?.extensions['code'],
          path: 'fail',
          reason: error.message,
          ...('endpoint' in error && { endpoint: ENDPOINT }),
          requestId: 'request-1',
        },
      ]);
    });
  }
});

describe('useErrorMapping: anything else', () => {
  it.each([
    ['an upstream 4xx no path turned into something more specific', new UpstreamHttpError(ENDPOINT, 403, `X-Auth-Token ${X_AUTH_TOKEN} is not valid`, undefined)],
    ['an upstream GraphQL error no path turned into something more specific', new UpstreamGraphQLError('graphql login', 200, [{ message: `token ${X_AUTH_TOKEN} refused`, code: 40101 }])],
    ['a bug', new TypeError(`Cannot read properties of undefined (reading '${X_AUTH_TOKEN}')`)],
  ])('%s is masked as "Unexpected error." and logged at error with its cause, the secret redacted', async (_case, error) => {
    const server = serverThrowing(error);

    const answer = await server.ask();

    expect(answer).toEqual(failedWith('Unexpected error.', { code: 'INTERNAL_SERVER_ERROR' }));
    expect(server.logged()).toEqual([
      {
        level: 'error',
        err: {
          name: 'GraphQLError',
          message: error.message.split(X_AUTH_TOKEN).join('[redacted]'),
          origin: expect.any(String),
          cause: { name: error.name, message: error.message.split(X_AUTH_TOKEN).join('[redacted]'), origin: expect.any(String) },
        },
        requestId: 'request-1',
      },
    ]);
    expect(JSON.stringify(answer)).not.toContain(X_AUTH_TOKEN);
    expect(server.lines.join('\n')).not.toContain(X_AUTH_TOKEN);
  });

  it('answers a request error that quoted a value (a literal of the wrong type) without the value', async () => {
    const server = serverThrowing(new Error('not called'));

    expect(await server.ask(`{ ok(n: "${X_AUTH_TOKEN}") }`)).toEqual({
      status: 200,
      body: { errors: [{ message: 'Int cannot represent non-integer value.', locations: [{ line: 1, column: 9 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] },
    });
  });
});
