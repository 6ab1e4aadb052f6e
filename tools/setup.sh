#!/usr/bin/env bash
# Installs every Debian package replsim needs to build, test and run, offline
# from Debian's archive only (see ../shared/build-notes.md). Idempotent: safe
# to run twice; says what it did. Needs root (apt-get) unless all is present.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap       # /usr/bin/bazel 4.2.3
  bazel-rules-java      # rules_java as a local repository
  g++                   # C++20 with coroutines (12.2)
  pkg-config
  libabsl-dev           # Abseil 20220623
  libgtest-dev          # GoogleTest 1.12.1
  libgmock-dev
  libbenchmark-dev      # Google Benchmark 1.7.1
  libprotobuf-dev       # protobuf 3.21.12
  protobuf-compiler
  libtcmalloc-minimal4  # the replsim tool's malloc (tools/BUILD.bazel)
  slurm-wlm             # //tools:slurm_array_test starts a one-node cluster
  munge                 # Slurm's authentication, for the same test
  chromium              # headless, for //tools:html_diagram_test (the HTML diagram)
  postgresql-15         # `replsim real` and `diff`, //tools:real_diff_test (creates user postgres)
  clang                 # clang 14 and llvm-symbolizer for libFuzzer; Bazel builds with gcc
  libclang-rt-14-dev    # libFuzzer's runtime, linked into //tools/libfuzzer:replsim_libfuzzer
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed; nothing to do."
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
echo "setup: installed ${#missing[@]} package(s)."
