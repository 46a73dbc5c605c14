#!/usr/bin/env bash
# One command from a fresh clone: set everything up, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# type-check, lint, formatting and dead exports first: a red lint is a red build
npm run --silent lint
# podman + the transporter image, Slurm + munge: the deployment tests run them
bash scripts/setup-infra.sh
export CONTAINERS_CONF="$PWD/deploy/podman/containers.conf"
TRANSPORTER_SKIP_BUILD=1 npx vitest run "$@"
