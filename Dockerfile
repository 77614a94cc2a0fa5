# Builds crosspod once. The last stage is one backend pod (`node dist/cli.js backend`, configured by
# PORT, POD_NAME, REDIS_URL, DELIVERY); the k6 stage carries the bundled scenarios for the compose "load" profile.
ARG K6_IMAGE=grafana/k6:latest

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM ${K6_IMAGE} AS k6
COPY --from=build /app/dist/scenarios /scenarios

FROM node:20-slim AS backend
ENV NODE_ENV=production PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
CMD ["node", "dist/cli.js", "backend"]
