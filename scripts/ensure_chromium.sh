#!/usr/bin/env bash
# Make sure a headless-capable Chromium is at /usr/bin/chromium (the browser test drives it).
# Debian/Ubuntu only: installs the distribution's `chromium` package with apt-get when it is missing.
# Loud on purpose: installing a browser is not something a script should do quietly.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [[ -x "$CHROMIUM" ]]; then
    echo "ensure_chromium: found $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
    exit 0
fi

echo "================================================================"
echo "ensure_chromium: $CHROMIUM is missing: installing Debian's 'chromium' package"
echo "ensure_chromium: running: apt-get update && apt-get install -y chromium"
echo "================================================================"

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: ERROR: apt-get not found; install Chromium yourself so that $CHROMIUM exists" >&2
    exit 2
fi

SUDO=""
if [[ "$(id -u)" != "0" ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
        echo "ensure_chromium: not root: using sudo"
    else
        echo "ensure_chromium: ERROR: not root and no sudo: cannot apt-get install chromium" >&2
        exit 2
    fi
fi

$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium

if [[ ! -x "$CHROMIUM" ]]; then
    echo "ensure_chromium: ERROR: apt-get finished but $CHROMIUM still does not exist" >&2
    exit 1
fi
echo "ensure_chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
