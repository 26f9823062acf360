#!/usr/bin/env bash
# Compiles tux_xdp.c into a BPF object with BTF. Called by the Maven build of tux-xdp-native:
#   bpf/build.sh OUTPUT.o
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: bpf/build.sh OUTPUT.o}
CLANG=${CLANG:-clang}
if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "bpf/build.sh: clang not found; the XDP program needs clang with the BPF target. Run bin/setup (as root) first." >&2
  exit 2
fi
if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
  echo "bpf/build.sh: /usr/include/bpf/bpf_helpers.h not found (libbpf-dev). Run bin/setup (as root) first." >&2
  exit 2
fi
mkdir -p "$(dirname "$out")"
arch_inc=/usr/include/$(uname -m)-linux-gnu
"$CLANG" -target bpf -O2 -g -Wall -Werror -I"$arch_inc" -c "$here/tux_xdp.c" -o "$out.tmp"
mv "$out.tmp" "$out"
