#!/usr/bin/env bash
# Sets up what the deployment tests run on a fresh Debian 12 machine, as
# root, offline apart from apt and the npm registry: podman (with the
# project's containers.conf), a base image made by debootstrap, the
# transporter image built from `npm pack`, and Slurm + munge for the job
# array test. Safe to run again: installs and the base image only happen when
# missing; the transporter image is rebuilt (cached layers make that quick).
set -euo pipefail
cd "$(dirname "$0")/.."

export CONTAINERS_CONF="$PWD/deploy/podman/containers.conf"
BASE_IMAGE=localhost/debian:bookworm
IMAGE=${TRANSPORTER_IMAGE:-localhost/transporter:test}
NON_ROOT_IMAGE=${TRANSPORTER_NON_ROOT_IMAGE:-localhost/transporter:test-non-root}

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-infra: not root; podman, debootstrap and Slurm need root — the container, Kubernetes run and Slurm tests will skip" >&2
  exit 0
fi

need_apt=()
command -v podman >/dev/null 2>&1 || need_apt+=(podman)
command -v runc >/dev/null 2>&1 || need_apt+=(runc)
command -v debootstrap >/dev/null 2>&1 || need_apt+=(debootstrap)
command -v newuidmap >/dev/null 2>&1 || need_apt+=(uidmap)
command -v slurmctld >/dev/null 2>&1 || need_apt+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || need_apt+=(munge)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
echo "setup-infra: $(podman --version), $(slurmctld -V), $(munged --version 2>&1 | head -n 1)"

# No registry is reachable: the base image comes from Debian's mirror.
if ! podman image exists "$BASE_IMAGE"; then
  started=$SECONDS
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  rootfs=$(mktemp -d /var/tmp/transporter-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs" "$rootfs.log"' EXIT
  log="$rootfs.log"
  debootstrap --variant=minbase --include=rsync,tini,ca-certificates bookworm "$rootfs" "$mirror" >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; exit 1; }
  # bookworm's rsync is 3.2.7; the security suite has the 3.5.0 the host runs
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/debian.sources"
    : >"$rootfs/etc/apt/sources.list"
  fi
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  chroot "$rootfs" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --only-upgrade rsync >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*' >>"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; exit 1; }
  : >"$rootfs/etc/resolv.conf"
  tar -C "$rootfs" -c . | podman import -q - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs" "$log"
  trap - EXIT
  echo "setup-infra: built $BASE_IMAGE in $((SECONDS - started)) s"
fi

bash scripts/build-image.sh --base "$BASE_IMAGE" --host-node --tag "$IMAGE" --non-root-tag "$NON_ROOT_IMAGE"
