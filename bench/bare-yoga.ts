import { createSchema, createYoga } from 'graphql-yoga';
import { serveYoga } from './serve-yoga.js';

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

serveYoga(yoga);
