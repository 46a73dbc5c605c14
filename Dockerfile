# transporter image: Node 20 on Debian 12 with rsync from the OS.
# Build: npm pack && docker build -t transporter .
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends rsync tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY transporter-*.tgz /tmp/
RUN npm install -g /tmp/transporter-*.tgz && rm /tmp/transporter-*.tgz \
 && ln -s "$(command -v transporter)" /usr/local/transporter
# transporter handles SIGTERM/SIGINT/SIGHUP itself and is safe as PID 1;
# tini also reaps any stray grandchildren.
ENTRYPOINT ["/usr/bin/tini", "--", "transporter"]
CMD ["--help"]
