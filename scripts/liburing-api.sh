#!/usr/bin/env bash
# Regenerates the liburing → bare-uring lookup table from the data in
# tests/api_coverage.rs: uring-core/src/liburing_api.md (the crate docs'
# `liburing_api` module) and docs/LIBURING_API.md. The same test, run
# without URING_WRITE_API_DOCS, fails while a committed copy is stale.
#
#   bash scripts/liburing-api.sh
set -euo pipefail
cd "$(dirname "$0")/.."
URING_WRITE_API_DOCS=1 cargo test -q --test api_coverage committed_api_docs_are_current -- --nocapture
