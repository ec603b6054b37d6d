# syntax=docker/dockerfile:1

# Build stage: the full image has python, make and g++ in case better-sqlite3 has no prebuilt
# binary for the platform and must compile.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build && npm prune --omit=dev

# Runtime stage: same Debian release as the build, so the native module built above loads.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/var/lib/payments
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /var/lib/payments && chown node:node /var/lib/payments
USER node
VOLUME ["/var/lib/payments"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# node as PID 1 receives SIGTERM directly; Nest's shutdown hooks close the stores.
CMD ["node", "dist/apps/api/src/main.js"]
