#!/usr/bin/env bash
# Builds a sample source tree: nested directories, small files, a few larger
# ones, a symlink, names with spaces and unicode.
set -euo pipefail
root=${1:?usage: make-sample-tree.sh DIR}
mkdir -p "$root"
for d in $(seq 1 20); do
  mkdir -p "$root/dir-$d/sub"
  for f in $(seq 1 60); do
    printf 'sample file %s/%s\n' "$d" "$f" > "$root/dir-$d/file-$f.txt"
  done
  head -c 4096 /dev/urandom > "$root/dir-$d/sub/blob.bin"
done
for i in 1 2 3; do head -c $((8 * 1024 * 1024)) /dev/urandom > "$root/large-$i.dat"; done
mkdir -p "$root/naïve names"
echo "spaces and unicode" > "$root/naïve names/café menu.txt"
ln -sfn dir-1/file-1.txt "$root/link-to-file-1"
