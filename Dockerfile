# pulsemap: docker build -t pulsemap . && docker run -p 8000:8000 -v pulsemap-data:/data \
#   -v "$PWD/entities.yaml:/app/entities.yaml:ro" pulsemap
FROM node:24-slim

# The ping check runs the system ping. Debian's ping sends ICMP as a non-root user through the
# cap_net_raw file capability (or through unprivileged ICMP sockets where the kernel's
# net.ipv4.ping_group_range allows them): set it explicitly, and fail the build if it is missing.
# jemalloc instead of glibc's allocator (see README, Memory): the same path on every architecture.
RUN apt-get update \
 && apt-get install -y --no-install-recommends iputils-ping libcap2-bin libjemalloc2 \
 && setcap cap_net_raw+ep /usr/bin/ping \
 && getcap /usr/bin/ping | grep -q cap_net_raw \
 && ln -s "$(ls /usr/lib/*-linux-gnu/libjemalloc.so.2)" /usr/local/lib/libjemalloc.so.2 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY scripts/compile-cache.js ./scripts/
COPY src ./src
COPY schema ./schema
COPY web ./web
# An example configuration; mount yours over it.
COPY entities.yaml ./

RUN mkdir -p /data && chown node:node /data
USER node
# Node's compile cache (see bin/pulsemap.js), filled at build time for the node user: even the
# first start of a new container runs without the type stripper (about 25 MB less RSS).
ENV NODE_COMPILE_CACHE=/home/node/.cache/node-compile-cache
RUN node scripts/compile-cache.js
ENV PULSEMAP_DATA=/data PULSEMAP_CONFIG=/app/entities.yaml PORT=8000
# Freed memory goes back to the system within a second or so, and the process holds less.
ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2 MALLOC_CONF=background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0
EXPOSE 8000
VOLUME /data
# slim images have no curl: Node's fetch asks /health.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node as PID 1 gets SIGTERM from `docker stop` and shuts down cleanly (see serve.ts).
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=50", "bin/pulsemap.js", "serve"]
