import fastify from 'fastify';
import { createGateway, type GatewayOptions, loadConfig } from 'b2b-auth-gateway';

/**
 * Serves the gateway from a fastify app at `http://$HOST:$PORT/graphql`, as Yoga's fastify
 * integration does. `env` is usually `process.env`. Resolves once listening, with the URL and a
 * function that stops both.
 */
export async function serveFastify(env: Record<string, string | undefined>, options: GatewayOptions = {}) {
  const config = loadConfig(env);
  const gateway = await createGateway(config, options);
  const app = fastify();
  await app.register(async (graphql) => {
    // Yoga reads the body itself, so the gateway's 64 KiB limit and its answers to bad JSON
    // apply as in its own server; fastify's parsers stay on for the app's other routes.
    graphql.removeAllContentTypeParsers();
    graphql.addContentTypeParser('*', (_request, _payload, done) => done(null));
    graphql.route({
      url: gateway.yoga.graphqlEndpoint,
      method: ['GET', 'POST', 'OPTIONS'],
      // `{ req }` lets rate limits see the client's address; the answer is a fetch Response,
      // which fastify sends as is.
      handler: (req, reply) => gateway.yoga.handleNodeRequestAndResponse(req, reply, { req }),
    });
  });
  app.addHook('onClose', () => gateway.close());
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address() as { port: number };
  return {
    url: `http://${config.host}:${port}${gateway.yoga.graphqlEndpoint}`,
    close: () => app.close(),
  };
}
