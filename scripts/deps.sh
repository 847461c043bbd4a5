#!/usr/bin/env bash
# Install what the build and the tests need, and fetch third-party sources.
#
#   scripts/deps.sh system   Debian packages (emscripten, clang, chromium, ...)
#   scripts/deps.sh sources  BearSSL 0.6 and cJSON 1.7.15 from Debian source
#                            packages into third_party/ (orig tarballs pinned by
#                            sha256, Debian patches applied)
#
# As root it installs; with passwordless sudo it uses sudo; otherwise it stops
# and prints the exact command to run.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(emscripten binaryen node-acorn clang lld libclang-rt-14-dev dpkg-dev xz-utils chromium brotli wabt cppcheck clang-tidy prometheus python3-yaml golang golang-gopkg-yaml.v3-dev)

# Pinned orig tarballs (Debian bookworm). A different tarball is refused.
BEARSSL_ORIG=bearssl_0.6+dfsg.1.orig.tar.xz
BEARSSL_SHA256=102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004
CJSON_ORIG=cjson_1.7.15.orig.tar.gz
CJSON_SHA256=5308fd4bd90cef7aa060558514de6a1a4a0819974a26e6ed13973c5f624c24b2

SUDO_CHECKED=0
SUDO=""
need_root() { # $1: the command a user without root must run
	[ "$SUDO_CHECKED" = 1 ] && return 0
	if [ "$(id -u)" = 0 ]; then
		SUDO=""
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		SUDO="sudo"
	else
		echo "deps: root is needed. Run this once, then run make again:" >&2
		echo "  sudo $1" >&2
		exit 1
	fi
	SUDO_CHECKED=1
}

apt_updated=0
apt_update() {
	[ "$apt_updated" = 1 ] && return 0
	need_root "apt-get update"
	$SUDO apt-get update -q >/dev/null
	apt_updated=1
}

system() {
	local missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "deps: installing ${missing[*]}"
	need_root "sh -c 'apt-get update && apt-get install -y ${missing[*]}'"
	apt_update
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" >/dev/null
}

# Add deb-src entries derived from the machine's own apt sources.
ensure_deb_src() {
	if apt-cache showsrc bearssl 2>/dev/null | grep -q '^Package: bearssl'; then
		return 0
	fi
	local src=/etc/apt/sources.list.d/cvm-verify-src
	need_root "sh -c 'sed \"s/^Types:.*/Types: deb-src/\" /etc/apt/sources.list.d/debian.sources > $src.sources && apt-get update'"
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$src.sources" ] || continue
		grep -v '^#' "$f" | sed -E 's/^Types:.*$/Types: deb-src/'
		echo
	done | $SUDO tee "$src.sources.new" >/dev/null
	$SUDO mv "$src.sources.new" "$src.sources"
	if [ -f /etc/apt/sources.list ]; then
		grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' | $SUDO tee "$src.list" >/dev/null
	fi
	apt_updated=0
	apt_update
}

fetch_one() { # $1 source package, $2 orig tarball, $3 sha256, $4 target dir
	local pkg=$1 orig=$2 sum=$3 dest=third_party/$4
	[ -f "$dest/.cvm-verify-ok" ] && return 0
	local tmp
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get source --download-only "$pkg" >/dev/null 2>&1) || {
		echo "deps: apt-get source $pkg failed (is a deb-src entry configured?)" >&2
		exit 1
	}
	echo "$sum  $tmp/$orig" | sha256sum -c --quiet - || {
		echo "deps: $orig does not match the pinned sha256 $sum" >&2
		exit 1
	}
	# dpkg-source unpacks the orig tarball and applies the Debian patches
	# (cJSON's carry security fixes).
	(cd "$tmp" && dpkg-source --no-check -x ./*.dsc unpacked >/dev/null)
	rm -rf "$dest"
	mkdir -p third_party
	mv "$tmp/unpacked" "$dest"
	rm -rf "$tmp"
	touch "$dest/.cvm-verify-ok"
	echo "deps: $pkg ready in $dest"
}

sources() {
	command -v dpkg-source >/dev/null || system
	ensure_deb_src
	fetch_one bearssl "$BEARSSL_ORIG" "$BEARSSL_SHA256" bearssl
	fetch_one cjson "$CJSON_ORIG" "$CJSON_SHA256" cjson
}

case "${1:-all}" in
system) system ;;
sources) sources ;;
all) system; sources ;;
*) echo "usage: $0 [system|sources|all]" >&2; exit 2 ;;
esac
