# syntax=docker/dockerfile:1
# The Aegis image: the `aegis-eval` binary (every domain of this workspace, with the Tier-2
# models their specs compile in) on Debian slim, run as an unprivileged user, with a health
# check that needs no curl (`aegis-eval health`).
#
#   docker build -t aegis .          (or podman / buildah bud)
#   docker run -p 8420:8420 -v aegis:/var/lib/aegis aegis
#
# Where no registry can be reached, scripts/deploy/image.sh builds it with buildah on stand-in
# base images (BASE_IMAGE, RUST_IMAGE) made from Debian's packages. deploy/README.md has the rest.
ARG RUST_IMAGE=docker.io/library/rust:1.95-slim-bookworm
ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim

FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY . .
# No debug information, and the symbols stripped: the binary goes from ~200 MB to ~40 MB.
ENV CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_STRIP=symbols \
    CARGO_TERM_COLOR=never
RUN --mount=type=cache,target=/src/target,id=aegis-target,sharing=locked \
    cargo build --release --locked -p aegis-eval \
 && install -D -m 0755 target/release/aegis-eval /out/aegis-eval

FROM ${BASE_IMAGE}
ARG AEGIS_UID=10001
# An unprivileged user whose home is the service directory (a volume).
RUN groupadd --system --gid "${AEGIS_UID}" aegis \
 && useradd --system --uid "${AEGIS_UID}" --gid aegis --home-dir /var/lib/aegis \
      --create-home --shell /usr/sbin/nologin aegis \
 && mkdir -p /var/lib/aegis/service /var/lib/aegis/models/registry \
 && chown -R aegis:aegis /var/lib/aegis
COPY --from=build /out/aegis-eval /usr/local/bin/aegis-eval
USER ${AEGIS_UID}:${AEGIS_UID}
WORKDIR /var/lib/aegis
# Listen on every interface inside the container (the default is loopback only); the service
# directory, and a model registry for Tier-2 versions promoted after the build, in the volume.
ENV AEGIS_ADDR=0.0.0.0:8420 \
    AEGIS_STORE=/var/lib/aegis/service \
    AEGIS_DIR=/var/lib/aegis/service \
    AEGIS_MODEL_REGISTRY=/var/lib/aegis/models/registry \
    AEGIS_HEALTH_URL=http://127.0.0.1:8420/healthz
VOLUME ["/var/lib/aegis"]
# 8420: the API (serve); 9420: a worker's /healthz, /readyz and /metrics (worker --listen).
EXPOSE 8420 9420
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["aegis-eval", "health"]
ENTRYPOINT ["aegis-eval"]
CMD ["serve"]
