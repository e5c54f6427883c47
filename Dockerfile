# syntax=docker/dockerfile:1.7
# One image for every DriftGuard unit; its command picks which one runs:
#   docker run driftguard ingest|analysis|recommender|notifier|api|migrate|dg <args>
# Build: docker build -t driftguard .

ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN npm install -g pnpm@12.4.2
WORKDIR /src
# Dependencies first, from the lockfile alone, so source changes do not refetch them.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN --mount=type=cache,id=pnpm,target=/pnpm/store pnpm fetch --frozen-lockfile
COPY . .
RUN --mount=type=cache,id=pnpm,target=/pnpm/store pnpm install --offline --frozen-lockfile \
 && pnpm build
# One self-contained folder per unit with its production dependencies only.
RUN --mount=type=cache,id=pnpm,target=/pnpm/store set -eux; \
    for unit in ingest analysis recommender notifier api; do \
      pnpm --filter "@driftguard/${unit}" deploy --prod "/out/${unit}"; \
    done; \
    pnpm --filter @driftguard/dg deploy --prod /out/dg

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production NODE_OPTIONS=--enable-source-maps
# git for repositories synced from git (ingest); tini reaps children and forwards SIGTERM.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build --chown=root:root /out /app
COPY --chown=root:root infra/docker/entrypoint.sh /usr/local/bin/driftguard
RUN chmod 0755 /usr/local/bin/driftguard
# Non-root, and nothing under /app is writable by the process (read-only root filesystem works).
USER 10001:10001
EXPOSE 8080 8081 8082 8083 8084
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/driftguard"]
CMD ["api"]
