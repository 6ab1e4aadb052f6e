#!/usr/bin/env bash
# Bazel's --workspace_status_command (.bazelrc): the git commit the build's
# sources come from, with -dirty when they differ from it. tools/build_info
# stamps it into replsim (`replsim --version`).
cd "$(dirname "$0")/.." || exit 0
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && ! git diff --quiet HEAD -- 2>/dev/null; then
  commit="$commit-dirty"
fi
echo "STABLE_REPLSIM_GIT_COMMIT $commit"
