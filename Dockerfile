# syntax=docker/dockerfile:1
# The gateway's command in a container: `docker build -t b2b-auth-gateway .`, then
# `docker run --rm -p 4000:4000 --stop-timeout 30 -e B2B_API_URL=… -e B2B_STORE_HASH=…
# -e B2B_AUTH_TOKEN_FILE=/run/secrets/b2b-auth-token … b2b-auth-gateway` (docs/deploying.md).

# Build: the dependencies from the lockfile, then `npm run build`, from only the files it reads.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts scripts/
COPY schema/ schema/
COPY src/ src/
RUN npm run build

# Run: the bundled command needs no node_modules, only its own folder and package.json (the
# version it prints, and `"type": "module"` for its chunks).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
# Owned by root and not writable by the user the gateway runs as; it writes no files.
COPY --from=build /app/package.json ./
COPY --from=build /app/dist/command ./dist/command
USER node
EXPOSE 4000
# No curl in a slim image: Node asks /health itself, on the port the gateway listens on.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health', { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: Node is PID 1 and receives SIGTERM itself, which drains in-flight requests and
# exits; it starts no child processes, so nothing needs reaping and no init is needed.
# `docker run … b2b-auth-gateway --help` lists every variable.
ENTRYPOINT ["node", "dist/command/src/cli.js"]
