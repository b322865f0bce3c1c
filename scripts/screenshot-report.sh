#!/usr/bin/env bash
# Render an HTML report in headless Chromium (Debian's `chromium` package) to a PNG.
#   scripts/screenshot-report.sh report.html report.png [HEIGHT]
set -euo pipefail
html=$(realpath "$1"); png=${2:-report.png}; height=${3:-2400}
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1280,"$height" \
  --screenshot="$png" "file://$html" >/dev/null 2>&1
rm -rf "$profile"
echo "$png"
