# Builds crosspod once. The last stage is one backend pod (`node dist/cli.js backend`, configured by
# PORT, POD_NAME, REDIS_URL, DELIVERY); the k6 stage carries the bundled scenarios for the compose "load" profile.
# k6 is pinned: its release decides which bundle folder runs (lib/engine/k6-bundle-targets.ts; 1.6 to 1.x run
# dist/k6/v1), and docker-compose.yml's k6 command names that folder.
ARG K6_IMAGE=grafana/k6:1.8.1

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM ${K6_IMAGE} AS k6
COPY --from=build /app/dist/k6 /k6

FROM node:20-slim AS backend
# A container's loopback is its own: the pod must listen on every interface for the other services.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
CMD ["node", "dist/cli.js", "backend"]
