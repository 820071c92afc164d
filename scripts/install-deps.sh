#!/bin/sh
# Installs the Debian packages ktriage needs that are missing.
#
# usage: scripts/install-deps.sh [--run | --test] [--dry-run]
#
#   --run      what `make run` needs: the compiler, CMake and the libraries
#              ktriage links against
#   --test     the --run packages plus what `make test` needs: clang with
#              libFuzzer and the sanitizer runtimes, cmocka, python3, the
#              gzip and zstd tools, and Chromium, Node.js and npm for the
#              browser test of the HTML report (the default)
#   --dry-run  print the missing packages, one a line, and install nothing
#
# Prints nothing when everything is there.  Otherwise runs `apt-get update`
# and installs only the missing packages, as root or through sudo.
# KT_NO_DEPS=1 in the environment skips the whole check (for systems
# whose packages are installed some other way).
set -eu

# Building and running ktriage.
RUN_PKGS="gcc make cmake pkg-config
	libvectorscan-dev libpcre2-dev libyaml-dev libjansson-dev
	zlib1g-dev libzstd-dev libsystemd-dev
	libsqlite3-dev libcurl4-openssl-dev libmicrohttpd-dev"

# Testing it.  clang alone lacks libFuzzer and the ASan/UBSan/LSan
# runtimes: they are in libclang-rt-dev (libclang-rt-14-dev on Debian 12),
# which clang only recommends.  gcc's sanitizer runtimes (libasan8,
# libubsan1, liblsan0) come with gcc itself.
#
# The browser test (tests/browser/) drives Debian's chromium with
# puppeteer-core, which npm installs into the build folder; a CJK font
# lets the screenshots of the Chinese report show its text.  A package
# counts as present when an installed package provides it, as a
# nodejs built elsewhere provides npm (and conflicts with Debian's).
# promtool (in prometheus) checks the metrics `watch` serves;
# systemd-analyze (in systemd) checks the packaged unit;
# systemd-journal-remote writes the journal files of the live journal test.
TEST_PKGS="clang libclang-rt-dev libcmocka-dev python3 gzip zstd
	chromium nodejs npm fonts-wqy-microhei prometheus systemd
	systemd-journal-remote"

group="test"
dry_run=0
for arg in "$@"; do
	case $arg in
	--run) group="run" ;;
	--test) group="test" ;;
	-n|--dry-run) dry_run=1 ;;
	-h|--help)
		sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
		exit 0 ;;
	*)
		echo "install-deps: unknown option '$arg'" >&2
		exit 2 ;;
	esac
done

if [ "${KT_NO_DEPS:-}" = 1 ]; then
	exit 0
fi

pkgs=$RUN_PKGS
if [ "$group" = test ]; then
	pkgs="$pkgs $TEST_PKGS"
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
	# shellcheck disable=SC2086 # one line, words as they come
	echo "install-deps: not a Debian system (no dpkg-query);" \
	     "install the equivalents of:" $pkgs >&2
	exit 1
fi

# what the installed packages provide, one name a line
provided=$(dpkg-query -W -f='${Status}\t${Provides}\n' 2>/dev/null |
	sed -n 's/^[^\t]* installed\t//p' | tr ',' '\n' |
	sed -e 's/(.*//' -e 's/:.*//' -e 's/^ *//' -e 's/ *$//')

missing=
for p in $pkgs; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $status in
	*" installed") ;;
	*)
		if ! printf '%s\n' "$provided" | grep -qx -- "$p"; then
			missing="$missing $p"
		fi ;;
	esac
done

if [ -z "$missing" ]; then
	exit 0
fi
if [ "$dry_run" = 1 ]; then
	for p in $missing; do
		echo "$p"
	done
	exit 0
fi

if [ "$(id -u)" = 0 ]; then
	as_root=
elif command -v sudo >/dev/null 2>&1; then
	as_root=sudo
else
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: not root and no sudo: install them as root" >&2
	exit 1
fi

echo "install-deps: installing$missing" >&2
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
# shellcheck disable=SC2086 # word splitting of the package list is wanted
$as_root env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends $missing >&2
