# syntax=docker/dockerfile:1
# cvm-verify monitor: verifies dstack CVMs every --interval seconds and serves Prometheus metrics on :9464
# (/metrics, and /healthz for the health check). README "CI/CD" and "Monitoring"; examples/prometheus/ runs it next to
# Prometheus.
#   docker build -t cvm-verify-monitor .
#   docker run --read-only --cap-drop ALL -p 9464:9464 cvm-verify-monitor https://app.example.com --interval 300 --json
# Pin the two base images by digest for a reproducible image (docker buildx imagetools inspect <image>).

# Build the WASM core from the pinned C sources (scripts/deps.sh sources: Debian source packages checked
# against their sha256). Only the build tools are installed here, not the test tools of scripts/deps.sh
# system, hence make -o deps-system.
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      make emscripten binaryen node-acorn dpkg-dev xz-utils ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN scripts/deps.sh sources && make -o deps-system wasm

# The runtime: Node.js only, no shell, no package manager; runs as the unprivileged user "nonroot" (65532).
# It writes nothing to disk (results go to stdout), so it runs with a read-only root filesystem.
FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
COPY --from=build /src/package.json /src/LICENSE ./
COPY --from=build /src/js/ ./js/
USER nonroot
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/nodejs/bin/node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/nodejs/bin/node", "/app/js/cli.js", "monitor", "--metrics-port", "9464"]
# The URLs to watch and other options are the container's arguments, e.g.:
CMD ["--help"]
