#!/usr/bin/env bash
# Builds the transporter image from this checkout without a registry inside
# the build: `npm pack` (which builds), the tarball installed on the host
# into the build context, then `podman build` (or $CONTAINER_BUILDER, e.g.
# docker) of the repo's Dockerfile.
#
#   scripts/build-image.sh [--base IMAGE] [--tag TAG] [--host-node] [--build-arg K=V]... [--non-root-tag TAG]
#
# --non-root-tag also builds, from the same context, an image that runs as the
# non-root user `transporter` (uid 10001) by default (--build-arg USER=transporter).
#
# --host-node copies this machine's node binary in, for a base without Node
# (the debootstrapped localhost/debian:bookworm the tests use); the build then
# runs with --network=none.
set -euo pipefail
cd "$(dirname "$0")/.."

base=node:20-bookworm-slim
tag=localhost/transporter:latest
host_node=0
non_root_tag=
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --base) base=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --host-node) host_node=1; shift ;;
    --build-arg) extra+=(--build-arg "$2"); shift 2 ;;
    --non-root-tag) non_root_tag=$2; shift 2 ;;
    *) echo "build-image: unknown argument $1" >&2; exit 22 ;;
  esac
done
builder=${CONTAINER_BUILDER:-podman}
if [ "$builder" = podman ] && [ -z "${CONTAINERS_CONF:-}" ]; then
  export CONTAINERS_CONF="$PWD/deploy/podman/containers.conf"
fi

started=$SECONDS
ctx=$(mktemp -d "${TMPDIR:-/tmp}/transporter-image.XXXXXX")
trap 'rm -rf "$ctx"' EXIT
npm pack --silent --pack-destination "$ctx" >/dev/null
npm install -g --prefix "$ctx/usrlocal" --no-audit --no-fund --loglevel=error "$ctx"/transporter-*.tgz >/dev/null
rm -f "$ctx"/transporter-*.tgz
network=()
if [ "$host_node" = 1 ]; then
  install -D -m 0755 "$(command -v node)" "$ctx/usrlocal/bin/node"
  network=(--network=none)
fi
cp Dockerfile "$ctx/Dockerfile"
"$builder" build -q "${network[@]}" --build-arg "BASE=$base" "${extra[@]}" -t "$tag" -f "$ctx/Dockerfile" "$ctx" >/dev/null
if [ -n "$non_root_tag" ]; then
  "$builder" build -q "${network[@]}" --build-arg "BASE=$base" "${extra[@]}" --build-arg USER=transporter -t "$non_root_tag" -f "$ctx/Dockerfile" "$ctx" >/dev/null
fi
# the images these tags replaced are left untagged: drop them, or every run keeps ~260 MB more
if [ "$builder" = podman ]; then podman image prune -f >/dev/null 2>&1 || true; fi
size=$("$builder" image inspect --format '{{.Size}}' "$tag")
echo "build-image: $tag${non_root_tag:+ and $non_root_tag} from $base in $((SECONDS - started)) s, $((size / 1000000)) MB"
