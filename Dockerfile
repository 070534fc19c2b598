# syntax=docker/dockerfile:1
# One image, two entry points: signup-web (the default command) and signup-handler.
#   docker build -t signup .
#   docker run -p 8020:8020 signup                                   # web, all-in-one on SQLite
#   docker run -e MessageQueue__Url=nats://nats:4222 signup signup-handler save
# docs/operations.md describes the health, metrics and configuration contract.

# Node 24 LTS on Debian 12. Pin a digest (node:24-bookworm-slim@sha256:...) for repeatable builds.
ARG NODE_IMAGE=node:24-bookworm-slim

# Compilers for better-sqlite3, which has no prebuilt binary to fetch at build time.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Every workspace's manifest, so npm ci sees the tree the lockfile describes.
COPY package.json package-lock.json .npmrc ./
COPY packages/domain/package.json packages/domain/
COPY packages/adapters/package.json packages/adapters/
COPY packages/test-support/package.json packages/test-support/
COPY packages/host-web/package.json packages/host-web/
COPY packages/host-handler/package.json packages/host-handler/
COPY packages/system-tests/package.json packages/system-tests/
COPY examples/welcome-handler/package.json examples/welcome-handler/

# Stage 1: all dependencies, then compile the two hosts and what they reference.
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY packages packages
RUN npx tsc -b packages/host-web packages/host-handler

# Stage 2: the production dependencies of the two hosts only (no compilers, test tools or dev dependencies).
FROM toolchain AS production-dependencies
RUN npm ci --omit=dev --workspace @signup/host-web --workspace @signup/host-handler --no-audit --no-fund

# Final stage: the runtime, tini as PID 1 (forwards SIGTERM, reaps children), a non-root user.
FROM ${NODE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    Metrics__Server__Enabled=true
WORKDIR /app
COPY --from=production-dependencies /app/package.json ./
COPY --from=production-dependencies /app/node_modules node_modules
COPY --from=build /app/packages/domain/package.json packages/domain/
COPY --from=build /app/packages/domain/dist/src packages/domain/dist/src
COPY --from=build /app/packages/adapters/package.json packages/adapters/
COPY --from=build /app/packages/adapters/dist/src packages/adapters/dist/src
COPY --from=build /app/packages/host-web/package.json /app/packages/host-web/appsettings.json packages/host-web/
COPY --from=build /app/packages/host-web/bin packages/host-web/bin
COPY --from=build /app/packages/host-web/public packages/host-web/public
COPY --from=build /app/packages/host-web/dist/src packages/host-web/dist/src
COPY --from=build /app/packages/host-handler/package.json /app/packages/host-handler/appsettings.json packages/host-handler/
COPY --from=build /app/packages/host-handler/bin packages/host-handler/bin
COPY --from=build /app/packages/host-handler/dist/src packages/host-handler/dist/src
# The working directory holds the optional configs/config.json and secrets/secret.json
# (mount them) and data/ for the embedded SQLite database.
RUN mkdir -p data configs secrets && chown node:node data \
 && ln -s /app/packages/host-web/bin/signup-web.js /usr/local/bin/signup-web \
 && ln -s /app/packages/host-handler/bin/signup-handler.js /usr/local/bin/signup-handler
USER node
EXPOSE 8020 9464
# Ready when the web (Web__Port, PORT or 8020) or the handler's metrics server
# (Metrics__Server__Port or 9464) answers /health/ready with 200; no curl in the image.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const e=process.env;const ports=[e.Web__Port||e.PORT||8020,e.Metrics__Server__Port||9464];(async()=>{for(const port of ports){try{const r=await fetch('http://127.0.0.1:'+port+'/health/ready',{signal:AbortSignal.timeout(4000)});process.exit(r.ok?0:1)}catch{}}process.exit(1)})()"]
ENTRYPOINT ["tini", "--"]
CMD ["signup-web"]
