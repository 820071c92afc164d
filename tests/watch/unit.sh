#!/bin/sh
# The packaged systemd unit and sysusers file: systemd-analyze verify
# accepts the unit with no warning (ExecStart pointed at the built
# binary), the unit keeps the hardening and notify settings docs/WATCH.md
# promises, and systemd-sysusers accepts the user.
#
# usage: unit.sh SRCDIR BINARY
set -eu
src=$1
bin=$2
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "unit: systemd-analyze not found (apt-get install systemd)" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s#/usr/bin/ktriage#$bin#" "$src/packaging/ktriage.service" \
	>"$tmp/ktriage.service"
if ! systemd-analyze verify "$tmp/ktriage.service" >"$tmp/out" 2>&1 ||
	[ -s "$tmp/out" ]; then
	echo "unit: systemd-analyze verify:" >&2
	cat "$tmp/out" >&2
	exit 1
fi
for want in Type=notify WatchdogSec= ProtectSystem=strict \
	NoNewPrivileges=yes User=ktriage AmbientCapabilities=CAP_SYSLOG \
	'ExecReload=/bin/kill -HUP $MAINPID'; do
	if ! grep -q "^$want" "$tmp/ktriage.service"; then
		echo "unit: no '$want' line in packaging/ktriage.service" >&2
		exit 1
	fi
done
# the daemon's arguments in ExecStart are ones it accepts
# and so is the packaged configuration file
args=$(sed -n 's#^ExecStart=[^ ]* ##p' "$tmp/ktriage.service" |
	sed "s#/etc/ktriage/ktriage.conf#$src/packaging/ktriage.conf#")
case $args in
*"$src/packaging/ktriage.conf"*) ;;
*) echo "unit: ExecStart does not read /etc/ktriage/ktriage.conf" >&2; exit 1 ;;
esac
# shellcheck disable=SC2086
if ! "$bin" $args --check-config >"$tmp/out" 2>&1; then
	echo "unit: ExecStart arguments:" >&2
	cat "$tmp/out" >&2
	exit 1
fi
if command -v systemd-sysusers >/dev/null 2>&1; then
	systemd-sysusers --dry-run "$src/packaging/ktriage.sysusers" \
		>/dev/null 2>"$tmp/out" || { cat "$tmp/out" >&2; exit 1; }
fi
echo "unit: ok"
