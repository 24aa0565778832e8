#!/usr/bin/env bash
# Install Debian's chromium for the report's browser tests (tests/report/test_explorer_*.py
# drive it through Playwright for Python; Playwright's own browser download is never used).
# Idempotent: exits early when chromium runs. Needs root (CI runs as root), or run under sudo.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && chromium --version >/dev/null 2>&1; then
    echo "chromium already installed: $(chromium --version 2>/dev/null)"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium
chromium --version
