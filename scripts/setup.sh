#!/bin/bash
# scripts/setup.sh - install what the build needs (Debian 12, as root, or
# with sudo) and build ecdiag into BUILD_DIR (default build/). Packages
# already installed are not touched; apt-get runs only when one is missing.
# ECDIAG_EXTRA_PACKAGES adds packages (space-separated): scripts/test.sh
# adds chromium, which the HTML report test opens its reports in.
# usage: scripts/setup.sh [BUILD_DIR] [meson setup options...]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gcc pkg-config meson ninja-build libpcre2-dev libsqlite3-dev libcjson-dev
	libarchive-dev libssl-dev libexpat1-dev zlib1g-dev libcriterion-dev gcab python3 python3-jsonschema util-linux)
read -r -a extra <<<"${ECDIAG_EXTRA_PACKAGES:-}"
packages+=("${extra[@]}")
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build=${1:-build}
shift || true
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$@" >/dev/null
fi
ninja -C "$build" >/dev/null
echo "setup: built $build/src/ecdiag" >&2
