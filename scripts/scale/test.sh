#!/usr/bin/env bash
# The scale-out tests against real servers, on their own (`.ci/run` starts the servers before
# its one `cargo test --workspace` instead): Debian's PostgreSQL and Redis (installed when
# missing), started on free loopback ports for this run and stopped after it. The store's test
# suite runs again with a PostgreSQL half that must not be skipped (AEGIS_REQUIRE_POSTGRES).
# Uses the target dir's debug build, as `cargo test --workspace` left it: `--workspace` with
# the test targets named, so that features resolve as they did there and nothing is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${CARGO_TARGET_DIR:-target}/scale-test"
bash scripts/scale/servers.sh start "$dir"
trap 'bash scripts/scale/servers.sh stop "$dir"' EXIT
# shellcheck disable=SC1091
. "$dir/env"
export AEGIS_REQUIRE_POSTGRES=1 AEGIS_REQUIRE_REDIS=1
# aegis-store: the trait's tests, the tenant registry, the Redis queue; aegis-eval's `scale`:
# the scaled-out service end to end (serve and worker processes, SIGKILL, restarts, a poison
# trace, two API processes). (`store` also names aegis-eval's own store tests: they run again.)
cargo test --workspace --locked --test store --test filters --test summary --test tenants \
  --test redis_queue --test scale
