#!/usr/bin/env bash
# The deployment files, validated by the tools that read them:
#  * Prometheus: the alert rules checked and unit-tested (promtool check rules / test rules),
#    and the scrape configs (compose's prometheus.yml, the Kubernetes jobs) checked.
#  * Compose: deploy/compose/compose.yaml resolved by podman-compose (`config`) and checked
#    against the Compose Specification's JSON schema (check-jsonschema).
#  * Kubernetes: every overlay rendered (kubectl kustomize) and every manifest validated
#    against the Kubernetes JSON schemas, strictly (kubernetes-validate); then what the issue
#    asks of them checked (scripts/deploy/check-manifests.py); and a manifest broken on
#    purpose must fail, so that a validator that passes everything is caught.
# That the rules and the dashboard name only exported metrics is a cargo test
# (aegis-server/tests/deploy_files.rs). promtool comes from Debian's `prometheus`; the Python
# tools are pinned in constraints.txt, in the venv <target dir>/deploy-venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=scripts/deploy
if ! command -v promtool >/dev/null 2>&1; then
  echo "installing prometheus (Debian package) for promtool" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus) >&2
fi
if ! command -v kubectl >/dev/null 2>&1; then
  echo "installing kubernetes-client (Debian package) for kubectl kustomize" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client) >&2
fi
if ! command -v podman >/dev/null 2>&1; then
  # podman-compose asks podman for its version before it resolves a file (nothing is run).
  echo "installing podman (Debian package) for podman-compose" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman) >&2
fi
py="$(bash scripts/python-venv.sh deploy)"
bin="$(dirname "$py")"
if ! "$py" -c 'import podman_compose, check_jsonschema, kubernetes_validate' 2>/dev/null; then
  "$py" -m pip install --quiet --disable-pip-version-check -c "$here/constraints.txt" \
    podman-compose check-jsonschema kubernetes-validate >&2
fi
out="$(dirname "$(dirname "$bin")")/deploy-rendered"
rm -rf "$out" && mkdir -p "$out"

echo "== Prometheus"
promtool check rules deploy/prometheus/alerts.yml
(cd deploy/prometheus && promtool test rules alerts.test.yml)
# The scrape configs refer to files that exist where they run: made here for the check.
mkdir -p "$out/prom/secrets"
echo token >"$out/prom/secrets/metrics-token"
cp deploy/prometheus/alerts.yml "$out/prom/alerts.yml"
sed -e "s|/run/secrets/metrics_token|$out/prom/secrets/metrics-token|" \
    -e "s|/etc/prometheus/alerts.yml|$out/prom/alerts.yml|" \
    deploy/compose/prometheus.yml >"$out/prom/compose-prometheus.yml"
promtool check config "$out/prom/compose-prometheus.yml"
# Debian's Prometheus is built without Kubernetes service discovery, so promtool cannot read
# deploy/kubernetes/prometheus/scrape-configs.yaml: its jobs are checked against the rendered
# Services below (check-manifests.py scrape).

echo "== Compose"
compose_dir="$out/compose"
cp -r deploy/compose "$compose_dir"
mkdir -p "$out/prometheus" "$out/grafana" && cp -r deploy/prometheus/. "$out/prometheus" && cp -r deploy/grafana/. "$out/grafana"
# podman-compose needs the secret files to exist.
sh "$compose_dir/init-secrets.sh" >/dev/null
(cd "$compose_dir" && "$bin/podman-compose" -f compose.yaml config >"$out/compose-config.yaml")
"$bin/check-jsonschema" --builtin-schema vendor.compose-spec deploy/compose/compose.yaml
"$py" "$here/check-manifests.py" compose "$out/compose-config.yaml"

echo "== Kubernetes"
kubectl version --client 2>/dev/null | head -n 2 || true
for overlay in deploy/kubernetes/overlays/*/; do
  name="$(basename "$overlay")"
  kubectl kustomize "$overlay" >"$out/k8s-$name.yaml"
  "$bin/kubernetes-validate" --strict --quiet "$out/k8s-$name.yaml"
  "$py" "$here/check-manifests.py" kubernetes "$out/k8s-$name.yaml" "$name"
  echo "$name: $(grep -c '^kind:' "$out/k8s-$name.yaml") manifests valid"
done
"$py" "$here/check-manifests.py" scrape deploy/kubernetes/prometheus/scrape-configs.yaml "$out/k8s-external.yaml"

"$bin/kubernetes-validate" --strict --quiet deploy/kubernetes/secrets.example.yaml
# A broken manifest must fail: an unknown field, and a probe's port as a list.
sed -e 's/^  revisionHistoryLimit: 5$/  revisionHistoryLimit: 5\n  replica: 3/' "$out/k8s-external.yaml" >"$out/broken.yaml"
if "$bin/kubernetes-validate" --strict --quiet "$out/broken.yaml" >/dev/null 2>&1; then
  echo "FAILED: kubernetes-validate passed a manifest with an unknown field" >&2
  exit 1
fi
echo "a broken manifest: refused"
# And the checks of check-manifests.py fail where they should: the API's autoscaler capped at
# 10, and a readiness probe on /healthz.
sed -e 's/^  maxReplicas: 20$/  maxReplicas: 10/' -e 's|path: /readyz|path: /healthz|' \
  "$out/k8s-external.yaml" >"$out/wrong.yaml"
if "$py" "$here/check-manifests.py" kubernetes "$out/wrong.yaml" external 2>"$out/wrong.log"; then
  echo "FAILED: check-manifests.py passed a wrong autoscaler and probe" >&2
  exit 1
fi
grep -q 'API autoscaler is not 3-20' "$out/wrong.log" && grep -q 'readiness is not /readyz' "$out/wrong.log" \
  || { cat "$out/wrong.log" >&2; echo "FAILED: check-manifests.py missed a wrong value" >&2; exit 1; }
echo "a wrong autoscaler and probe: refused"
echo "deployment files ok"
