# The image the rotation CronJob and the deploy-time Job run: the access-tokens CLI with its
# production dependencies only (no cdk8s), as a numeric non-root user. Nothing is downloaded
# when it runs. Published by .github/workflows/rotator-image.yml as
# ghcr.io/cdk8s-access-tokens/access-tokens:<package version>, the constructs' default
# (DEFAULT_ROTATOR_IMAGE); pin it by digest with `rotation: { image: '...@sha256:...' }`.
# The base is pinned by version; the release workflow records its digest.
ARG NODE_IMAGE=node:20.20.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build && npm pack --ignore-scripts --pack-destination /tmp \
  && mv /tmp/cdk8s-access-tokens-*.tgz /tmp/package.tgz

FROM ${NODE_IMAGE}
COPY --from=build /tmp/package.tgz /tmp/package.tgz
# --omit=peer: the cdk8s peers are for synth, not for the runtime. The V8 code cache is written
# here, by the Node that will run it, because the root filesystem is read-only at run time.
RUN npm install --global --omit=dev --omit=peer --ignore-scripts --no-audit --no-fund \
    /tmp/package.tgz \
  && node /usr/local/lib/node_modules/cdk8s-access-tokens/scripts/code-cache.cjs --refresh \
  && rm /tmp/package.tgz && npm cache clean --force
USER 65532:65532
ENTRYPOINT ["access-tokens"]
