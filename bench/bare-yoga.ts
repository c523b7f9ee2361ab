import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';

/*
 * The framework floor: graphql-yoga with its defaults on node:http, answering `{ __typename }`.
 * Whatever the gateway does per request on top of Yoga is the difference to this. Prints
 * `{"url": "http://127.0.0.1:<port>/graphql"}` when it listens.
 */
const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String }' }),
  graphiql: false,
  landingPage: false,
});

const server = createServer(yoga);
server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}${yoga.graphqlEndpoint}` })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
