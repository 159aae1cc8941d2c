#!/usr/bin/env bash
# Builds the container image from the Dockerfile with Debian's buildah (no Docker engine runs
# here) and checks what it promises: a small image, an unprivileged user, a health check, and
# an `aegis-eval serve` inside it that answers /healthz and /readyz.
#
#   bash scripts/deploy/image.sh            (tag: localhost/aegis:dev, or $AEGIS_IMAGE)
#
# The Dockerfile's base images come from docker.io. Where that registry cannot be reached (as
# on the CI machines), stand-ins are made from Debian's own packages with debootstrap: a
# minimal bookworm for the runtime stage, and bookworm with gcc for the build stage, into which
# this machine's Rust toolchain and cargo's download cache are mounted read-only. Set
# BASE_IMAGE and RUST_IMAGE to use others. Stand-ins are kept in the target dir between runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
work="$target/deploy-image"
tag="${AEGIS_IMAGE:-localhost/aegis:dev}"
mkdir -p "$work"

need() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]} (Debian packages)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >&2
  fi
}
need buildah podman debootstrap uidmap

# The container runtime is not used: RUN steps run in a chroot (this machine's cgroups are in a
# mode crun refuses), with file limits within what this process may set.
build_opts=(--isolation chroot --ulimit "nofile=$(ulimit -n):$(ulimit -n)" --format docker --layers)

# A Debian bookworm root file system made by debootstrap, imported as image `$1`, with the
# packages `$2` (comma-separated, may be empty).
standin() {
  local image="$1" include="$2" dir="$work/rootfs-${1//[^a-z0-9]/-}"
  if podman image exists "$image"; then return; fi
  echo "making $image from Debian's packages (debootstrap)" >&2
  rm -rf "$dir"
  debootstrap --variant=minbase ${include:+--include="$include"} bookworm "$dir" \
    http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | podman import - "$image" >/dev/null
  rm -rf "$dir"
}

volumes=()
if [ -z "${BASE_IMAGE:-}" ] || [ -z "${RUST_IMAGE:-}" ]; then
  if timeout 30 podman pull -q docker.io/library/debian:bookworm-slim >/dev/null 2>&1; then
    BASE_IMAGE="${BASE_IMAGE:-docker.io/library/debian:bookworm-slim}"
    RUST_IMAGE="${RUST_IMAGE:-docker.io/library/rust:1.95-slim-bookworm}"
  else
    echo "docker.io cannot be reached: building on stand-in base images made from Debian's packages" >&2
    BASE_IMAGE=localhost/aegis-standin/debian:bookworm-slim
    RUST_IMAGE=localhost/aegis-standin/rust:bookworm
    standin "$BASE_IMAGE" ""
    standin "$RUST_IMAGE.base" "gcc,libc6-dev,ca-certificates"
    if ! podman image exists "$RUST_IMAGE"; then
      c=$(buildah from "$RUST_IMAGE.base")
      buildah config --env CARGO_HOME=/usr/local/cargo \
        --env PATH=/usr/local/rust/bin:/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
      buildah commit -q "$c" "$RUST_IMAGE" >/dev/null
      buildah rm "$c" >/dev/null
    fi
    # This machine's toolchain and crate downloads, where the rust image would have them.
    sysroot="$(rustc --print sysroot)"
    mkdir -p "${CARGO_HOME:-$HOME/.cargo}/registry"
    volumes=(--volume "$sysroot:/usr/local/rust:ro"
             --volume "${CARGO_HOME:-$HOME/.cargo}/registry:/usr/local/cargo/registry")
  fi
fi

echo "building $tag (buildah bud; base $BASE_IMAGE, build stage $RUST_IMAGE)" >&2
started=$(date +%s)
buildah bud "${build_opts[@]}" "${volumes[@]}" \
  --build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "RUST_IMAGE=$RUST_IMAGE" \
  -t "$tag" -f Dockerfile . >"$work/build.log" 2>&1 \
  || { tail -n 40 "$work/build.log" >&2; echo "the image did not build: $work/build.log" >&2; exit 1; }
echo "built in $(( $(date +%s) - started )) s" >&2

fail() { echo "image check failed: $*" >&2; exit 1; }

# What the image says of itself.
user=$(podman image inspect --format '{{.Config.User}}' "$tag")
health=$(podman image inspect --format '{{.Config.Healthcheck.Test}}' "$tag")
size=$(podman image inspect --format '{{.Size}}' "$tag")
base_size=$(podman image inspect --format '{{.Size}}' "$BASE_IMAGE")
echo "user: $user; health check: $health; size: $((size / 1000000)) MB (base $((base_size / 1000000)) MB)"
case "$user" in ""|0|0:*|root|root:*) fail "the image runs as root ($user)";; esac
case "$health" in *aegis-eval*health*) ;; *) fail "no health check running aegis-eval health ($health)";; esac
# The image adds the binary and a user to its base: well under 100 MB.
[ $(( (size - base_size) / 1000000 )) -lt 100 ] || fail "the image adds $(( (size - base_size) / 1000000 )) MB to its base"

# The binary runs in it, as that user, and serves.
c=$(buildah from -q "$tag")
cleanup() { [ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null; buildah rm "$c" >/dev/null 2>&1 || true; }
trap cleanup EXIT
run() { buildah run --isolation chroot --user "$user" "$c" -- "$@"; }
run aegis-eval --version
[ "$(run id -u)" = "${user%%:*}" ] || fail "not running as $user"
# The service directory is the user's in the image: a new volume mounted there (compose's)
# takes its owner from it.
[ "$(run stat -c %u /var/lib/aegis/service)" = "${user%%:*}" ] || fail "/var/lib/aegis/service is not the user's"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run sh -c "aegis-eval orgs create acme >/dev/null && AEGIS_ADDR=127.0.0.1:$port exec aegis-eval serve --workers 1" \
  >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 100); do
  run aegis-eval health --url "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
run aegis-eval health --url "http://127.0.0.1:$port/readyz" || { cat "$work/serve.log" >&2; fail "serve in the image is not ready"; }
if run aegis-eval health --url "http://127.0.0.1:1/healthz" >/dev/null 2>&1; then
  fail "the health check passed with nothing listening"
fi
echo "image ok: $tag"
