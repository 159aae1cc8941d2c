#!/usr/bin/env sh
# Writes the compose topology's secrets (random) into ./secrets, leaving any that exist. They
# never go into the repository (.gitignore). The directory is its owner's alone; the files in
# it are world-readable because compose mounts each file as it is, and the containers read it
# as their own unprivileged users (aegis 10001, postgres, prometheus, grafana).
set -eu
cd "$(dirname "$0")"
mkdir -p secrets
chmod 700 secrets
for name in pg-password metrics-token grafana-admin-password; do
  if [ ! -s "secrets/$name" ]; then
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "secrets/$name"
    chmod 644 "secrets/$name"
  fi
done
echo "secrets in $(pwd)/secrets"
