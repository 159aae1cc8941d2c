"""What issue 24 asks of the deployment files, checked on what the tools rendered (not on the
sources): the compose topology as podman-compose resolved it, each Kubernetes overlay as
kustomize rendered it. Schema validity is kubernetes-validate's and check-jsonschema's job;
this checks the things a schema cannot: that probes hit /healthz and /readyz, that the
autoscalers have the ranges and metrics they should, that budgets, policies and services
select the pods they are for, that no secret value sits in a manifest.

    python check-manifests.py compose <resolved compose.yaml>
    python check-manifests.py kubernetes <rendered.yaml> <overlay name>
    python check-manifests.py scrape <scrape-configs.yaml> <rendered.yaml>
"""

import sys

import yaml

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def compose(path):
    doc = yaml.safe_load(open(path))
    services = doc.get("services", {})
    for name in ["serve", "worker-1", "worker-2", "redis", "postgres", "prometheus", "grafana"]:
        check(name in services, f"compose: no service {name}")
    for name, s in services.items():
        check("healthcheck" in s, f"compose: {name} has no health check")
        for k, v in (s.get("environment") or {}).items():
            check(
                not (("PASSWORD" in k or "TOKEN" in k) and not k.endswith("_FILE")),
                f"compose: {name} has a secret in its environment ({k})",
            )
    for w in ["worker-1", "worker-2"]:
        cmd = services.get(w, {}).get("command", [])
        check(cmd[:1] == ["worker"] and "--listen" in cmd, f"compose: {w} is not a worker with --listen")
    check(
        services.get("serve", {}).get("command", [])[:1] == ["serve"],
        "compose: serve does not run `serve`",
    )
    for name in ["redis", "postgres", "prometheus", "grafana", "serve"]:
        vols = services.get(name, {}).get("volumes", [])
        named = [v for v in vols if isinstance(v, str) and not v.startswith((".", "/"))]
        check(named, f"compose: {name} keeps no named volume")
    prom_vols = " ".join(services.get("prometheus", {}).get("volumes", []))
    check("alerts.yml" in prom_vols, "compose: Prometheus does not load the alert rules")
    for name in ["serve", "worker-1", "worker-2"]:
        deps = services.get(name, {}).get("depends_on", {})
        for dep in ["redis", "postgres"]:
            check(
                isinstance(deps, dict) and deps.get(dep, {}).get("condition") == "service_healthy",
                f"compose: {name} does not wait for {dep} to be healthy",
            )


def kubernetes(path, overlay):
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    by = {}
    for d in docs:
        by.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    deployments = by.get("Deployment", {})
    for name in ["aegis-api", "aegis-worker"]:
        check(name in deployments, f"{overlay}: no Deployment {name}")
    pods = {}
    for name, dep in deployments.items():
        spec = dep["spec"]["template"]["spec"]
        labels = dep["spec"]["template"]["metadata"]["labels"]
        pods[name] = labels
        check(selects(dep["spec"]["selector"]["matchLabels"], labels), f"{name}: selector misses its pods")
        sc = spec.get("securityContext", {})
        check(sc.get("runAsNonRoot") is True, f"{name}: may run as root")
        for c in spec["containers"]:
            where = f"{name}/{c['name']}"
            check(c.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz", f"{where}: liveness is not /healthz")
            check(c.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz", f"{where}: readiness is not /readyz")
            res = c.get("resources", {})
            for kind in ["requests", "limits"]:
                for r in ["cpu", "memory"]:
                    check(r in res.get(kind, {}), f"{where}: no {kind}.{r}")
            csc = c.get("securityContext", {})
            check(csc.get("readOnlyRootFilesystem") is True, f"{where}: root file system writable")
            check(csc.get("allowPrivilegeEscalation") is False, f"{where}: may escalate privileges")
            for e in c.get("env", []):
                check(
                    not (("PASSWORD" in e["name"] or "TOKEN" in e["name"]) and "value" in e and not e["name"].endswith("_FILE")),
                    f"{where}: a secret's value in the manifest ({e['name']})",
                )
            refs = [f.get("configMapRef", {}).get("name") for f in c.get("envFrom", [])]
            check("aegis-config" in refs, f"{where}: does not read the aegis-config ConfigMap")
        secrets = {v["secret"]["secretName"] for v in spec.get("volumes", []) if "secret" in v}
        check("aegis-secrets" in secrets, f"{name}: does not mount the aegis-secrets Secret")
    api_spec = deployments.get("aegis-api", {}).get("spec", {}).get("template", {}).get("spec", {})
    check(
        any(v.get("secret", {}).get("secretName") == "aegis-tier0-keys" for v in api_spec.get("volumes", [])),
        "aegis-api: does not mount the Tier-0 keys Secret",
    )
    check("aegis-config" in by.get("ConfigMap", {}), f"{overlay}: no aegis-config ConfigMap")

    hpas = by.get("HorizontalPodAutoscaler", {})
    api = hpas.get("aegis-api", {}).get("spec", {})
    check((api.get("minReplicas"), api.get("maxReplicas")) == (3, 20), f"{overlay}: API autoscaler is not 3-20")
    check(
        any(m["type"] == "Resource" and m["resource"]["name"] == "cpu" for m in api.get("metrics", [])),
        f"{overlay}: API autoscaler does not scale on CPU",
    )
    wk = hpas.get("aegis-worker", {}).get("spec", {})
    check((wk.get("minReplicas"), wk.get("maxReplicas")) == (5, 50), f"{overlay}: worker autoscaler is not 5-50")
    check(
        any(m["type"] == "External" and m["external"]["metric"]["name"] == "aegis_queue_depth" for m in wk.get("metrics", [])),
        f"{overlay}: worker autoscaler does not scale on the queue's length",
    )
    for name, h in hpas.items():
        ref = h["spec"]["scaleTargetRef"]
        check(ref["kind"] == "Deployment" and ref["name"] in deployments, f"{name}: scales nothing rendered")

    for name, labels in pods.items():
        check(
            any(selects(p["spec"]["selector"]["matchLabels"], labels) for p in by.get("PodDisruptionBudget", {}).values()),
            f"{overlay}: no disruption budget for {name}",
        )
        check(
            any(selects(n["spec"]["podSelector"].get("matchLabels"), labels) for n in by.get("NetworkPolicy", {}).values()),
            f"{overlay}: no network policy for {name}",
        )
        check(
            any(selects(s["spec"].get("selector"), labels) for s in by.get("Service", {}).values()),
            f"{overlay}: no Service for {name}",
        )

    ingresses = list(by.get("Ingress", {}).values())
    check(ingresses, f"{overlay}: no Ingress")
    for ing in ingresses:
        check(ing["spec"].get("tls"), f"{ing['metadata']['name']}: no TLS")
        for rule in ing["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                check(p["backend"]["service"]["name"] in by.get("Service", {}), "ingress: backend Service not rendered")

    stateful = by.get("StatefulSet", {})
    config = by.get("ConfigMap", {}).get("aegis-config", {}).get("data", {})
    if overlay == "in-cluster":
        for name in ["redis", "postgres"]:
            check(name in stateful and name in by.get("Service", {}), f"in-cluster: no {name}")
        check("@postgres:" in config.get("AEGIS_STORE", ""), "in-cluster: the store is not the in-cluster PostgreSQL")
    else:
        check(not stateful, f"{overlay}: runs data stores it should not")
        check("@postgres:" not in config.get("AEGIS_STORE", ""), f"{overlay}: the store is the in-cluster name")
    check(all(d["metadata"].get("namespace") == "aegis" for d in docs), f"{overlay}: not all in namespace aegis")


def scrape(path, rendered):
    """The Kubernetes scrape jobs keep endpoints by `<service>;<port name>`: each pair must be a
    Service and port rendered, and the jobs must be those the alert rules name."""
    jobs = {j["job_name"]: j for j in yaml.safe_load(open(path))["scrape_configs"]}
    check(set(jobs) >= {"aegis-api", "aegis-worker"}, f"scrape: jobs {sorted(jobs)}")
    services = {
        d["metadata"]["name"]: {p["name"] for p in d["spec"]["ports"]}
        for d in yaml.safe_load_all(open(rendered))
        if d and d["kind"] == "Service"
    }
    for name, job in jobs.items():
        check("credentials_file" in job.get("authorization", {}), f"scrape: {name} sends no metrics token")
        keeps = [r for r in job.get("relabel_configs", []) if r.get("action") == "keep"]
        check(keeps, f"scrape: {name} keeps every endpoint")
        for r in keeps:
            service, port = r["regex"].split(";")
            check(port in services.get(service, set()), f"scrape: {name} keeps {service};{port}, which is not rendered")


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "compose":
        compose(sys.argv[2])
    elif mode == "scrape":
        scrape(sys.argv[2], sys.argv[3])
    else:
        kubernetes(sys.argv[2], sys.argv[3])
    for f in failures:
        print("FAILED:", f, file=sys.stderr)
    sys.exit(1 if failures else 0)
