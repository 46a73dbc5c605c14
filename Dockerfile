# The transporter image: Node 20, rsync and tini on Debian 12, the packed CLI.
#
# Build it with scripts/build-image.sh, which packs this checkout and installs
# the tarball into the build context on the host, so the build itself needs no
# registry:
#   bash scripts/build-image.sh                       # FROM node:20-bookworm-slim
#   bash scripts/build-image.sh --base localhost/debian:bookworm --host-node
#   bash scripts/build-image.sh --build-arg USER=transporter   # non-root by default
# See docs/deploy.md.
ARG BASE=node:20-bookworm-slim
FROM ${BASE}

# rsync and tini from the OS; a base made by `debootstrap --include=rsync,tini`
# has them already, and then nothing is fetched.
RUN if ! command -v rsync >/dev/null 2>&1 || ! [ -x /usr/bin/tini ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends rsync tini ca-certificates \
      && rm -rf /var/lib/apt/lists/*; \
    fi

# usrlocal/ is `npm install -g --prefix usrlocal transporter-<version>.tgz`
# (plus bin/node when the base has no Node 20), made by scripts/build-image.sh.
COPY usrlocal/ /usr/local/
# /usr/local/transporter is where the Go tool's image had its binary; Jobs
# written for it keep working.
RUN ln -sfn /usr/local/bin/transporter /usr/local/transporter \
 && node --version && rsync --version | head -n 1 && transporter explain-exit 0 >/dev/null

# Root by default, as the Go tool's image ran: rsync keeps owners and groups
# only as root. USER=<name> makes a non-root image (`podman run --user` works
# on either).
ARG USER=root
ARG USER_ID=10001
RUN if [ "$USER" != root ] && ! id -u "$USER" >/dev/null 2>&1; then \
      useradd --uid "$USER_ID" --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$USER"; \
    fi \
 && install -d -m 0755 /transporter

# An empty working directory: transporter reads a config from its cwd, and
# nothing there may choose one. Mount config at /etc/transporter/config.yaml.
WORKDIR /transporter
USER ${USER}
# One copy at build time writes the hook cache under $HOME/.cache/transporter,
# so the container's copies start without loading oclif (docs/adr/0012); an
# image whose user has no home simply starts its copies through oclif.
RUN transporter copy --src /usr/local/lib/node_modules/transporter/bin/ --dest /tmp/transporter-warm --quiet \
 && rm -rf /tmp/transporter-warm
# tini forwards signals and reaps; it also works when an outer init
# (`podman run --init`) is PID 1.
ENV TINI_SUBREAPER=1
ENTRYPOINT ["/usr/bin/tini", "--", "transporter"]
CMD ["--help"]
