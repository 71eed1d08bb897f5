# SPDX-License-Identifier: ISC
#
# TAP output for shell tests, and the servers they run.
#
#   tap_ok STATUS DESCRIPTION     "ok" when STATUS is 0 (e.g. tap_ok $? ...)
#   tap_is GOT WANT DESCRIPTION   "ok" when the two strings are equal
#   tap_diag TEXT...              a "# " comment line per line of TEXT
#   tap_skip_all REASON           plan "1..0 # SKIP" and exit 0
#   tap_bail REASON               "Bail out!" and exit 1
#   tap_done                      print the plan; exit status 1 if any failed
#
#   server_start KIND NAME PORT [zoo.cfg line ...]
#        start a standalone server on a fresh directory and wait until it
#        serves (srvr shows a Mode); KIND is zkd or apache (Apache 3.8 from
#        Debian's zookeeper package).  The lines given replace the
#        defaults (tickTime=2000, 4lw.commands.whitelist=*, ...).  Sets
#        SERVER_DIR_<NAME>.
#   server_stop NAME              SIGTERM, then SIGKILL; checks it is gone
#   server_stop_all               every server still running (an EXIT trap)
#   target_kind                   zkd, or apache when ZK_TARGET=apache
#
# Apache reads some settings only as Java system properties: zoo.cfg keys
# it does not know become "zookeeper.<key>" properties (which is how
# extendedTypesEnabled reaches it), but the container manager reads
# "znode.container.*" without that prefix, so those lines are also passed
# as -D options.  zkd reads every one of them from zoo.cfg.

TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# shellcheck source=test/lib/zkd.bash
. "$TOP_SRCDIR/test/lib/zkd.bash"

APACHE_CP=/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar
# Apache logs through slf4j; without a binding it would log nothing.
APACHE_LOG_CP=/usr/share/java/slf4j-simple.jar

TAP_COUNT=0
TAP_FAILED=0
declare -A SERVER_PID=()

tap_ok() {
	local status=$1
	shift
	TAP_COUNT=$((TAP_COUNT + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $TAP_COUNT - $*"
	else
		echo "not ok $TAP_COUNT - $*"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

tap_is() {
	local got=$1 want=$2
	shift 2
	if [ "$got" = "$want" ]; then
		tap_ok 0 "$@"
	else
		tap_ok 1 "$@"
		tap_diag "got:  $got" "want: $want"
	fi
}

tap_diag() {
	local text
	for text in "$@"; do
		printf '%s\n' "$text" | sed 's/^/# /'
	done
}

tap_skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

tap_bail() {
	echo "Bail out! $*"
	exit 1
}

tap_done() {
	echo "1..$TAP_COUNT"
	[ "$TAP_FAILED" -eq 0 ]
}

target_kind() {
	if [ "${ZK_TARGET:-zkd}" = apache ]; then
		echo apache
	else
		echo zkd
	fi
}

apache_available() {
	command -v java >/dev/null 2>&1 &&
	    [ -e /usr/share/java/zookeeper.jar ]
}

server_start() {
	local kind=$1 name=$2 port=$3 dir line
	shift 3
	if zkd_ruok "$port" 2>/dev/null; then
		tap_diag "port $port already has a server"
		return 1
	fi
	dir=$(mktemp -d "${TMPDIR:-/tmp}/zk-$name.XXXXXX")
	printf -v "SERVER_DIR_$name" '%s' "$dir"
	{
		for line in "tickTime=2000" "dataDir=$dir/data" \
		    "clientPort=$port" "4lw.commands.whitelist=*" \
		    "admin.enableServer=false"; do
			server_cfg_has "${line%%=*}" "$@" || echo "$line"
		done
		for line in "$@"; do echo "$line"; done
	} > "$dir/zoo.cfg"
	case $kind in
	zkd)
		"${ZKD:-zkd}" -d -z "$dir/zoo.cfg" > "$dir/server.log" 2>&1 &
		;;
	apache)
		local -a props=()
		for line in "$@"; do
			case $line in
			znode.container.*) props+=("-D$line") ;;
			esac
		done
		(cd "$dir" && exec java -Xmx256m \
		    "${props[@]}" -cp "$APACHE_CP:$APACHE_LOG_CP" \
		    org.apache.zookeeper.server.ZooKeeperServerMain zoo.cfg) \
		    > "$dir/server.log" 2>&1 &
		;;
	*)
		echo "server_start: unknown kind $kind" >&2
		return 1
		;;
	esac
	SERVER_PID[$name]=$!
	if ! wait_until 30 server_serving "$port" ||
	    ! kill -0 "${SERVER_PID[$name]}" 2>/dev/null; then
		tap_diag "$kind server $name on port $port did not start:" \
		    "$(cat "$dir/server.log")"
		server_stop "$name"
		return 1
	fi
}

# Whether one of the zoo.cfg lines after KEY sets KEY.
server_cfg_has() {
	local key=$1 line
	shift
	for line in "$@"; do
		[ "${line%%=*}" = "$key" ] && return 0
	done
	return 1
}

# Apache answers ruok before it serves; srvr shows a Mode only once it does.
server_serving() {
	zkd_4lw "$1" srvr | grep -q '^Mode: '
}

server_stop() {
	local name=$1 pid dir
	pid=${SERVER_PID[$name]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	wait_until 15 zkd_gone "$pid" || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	unset "SERVER_PID[$name]"
	dir=SERVER_DIR_$name
	[ -n "${!dir:-}" ] && rm -rf "${!dir}"
	! kill -0 "$pid" 2>/dev/null
}

server_stop_all() {
	local name
	for name in "${!SERVER_PID[@]}"; do
		server_stop "$name"
	done
}
