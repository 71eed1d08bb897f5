# SPDX-License-Identifier: ISC
#
# zkensemble.bash: bats helpers to test an application against a real
# ZooKeeper ensemble, started once per test file by zkensemble(1).
#
#   load /usr/local/share/zkensemble/zkensemble.bash
#
#   setup_file()    { zke_up -n 3; }      # or -n 5 -o 1, -P zookeeper ...
#   teardown_file() { zke_down; }
#
#   @test "my app survives a failover" {
#       my_app --zk "$ZK_SERVERS" &
#       zke_wait serving
#       old=$(zke_leader)
#       zke_kill leader
#       zke_wait leader-not "$old" quorum
#       ...
#   }
#
# zke_up starts a detached ensemble on free ports (-p auto) in a run
# directory of its own under the file's temporary directory, and exports
# ZK_SERVERS (the connect string) and ZKENSEMBLE_RUNDIR (so that plain
# `zkensemble` commands in the tests reach it).  zke_down stops it and
# fails if any process of it is left.  Every wait is the supervisor's
# (woken by the servers' own reports): no sleeps.
#
#   zke_up [zkensemble up options]     start, wait until serving
#   zke_down                           stop all, check nothing is left
#   zke_leader / zke_follower          a sid (fails if there is none)
#   zke_wait [-t secs] COND...         zkensemble wait (default 30 s)
#   zke_kill WHO, zke_pause WHO, zke_resume WHO, zke_start WHO,
#   zke_stop WHO, zke_restart WHO      WHO: a sid, leader or follower
#   zke_isolate SET, zke_partition SET SET..., zke_heal [SET],
#   zke_delay FROM TO MS               network faults between servers
#   zke_elect WHO                      hand leadership to WHO
#   zke_expire 0xSESSION               end a client's session now
#   zke_port WHO                       WHO's client port
#   zke_cli WHO ARGS...                zkcli against WHO
#   zke_status                         the status table
#   zke_until SECS CMD...              run CMD until it succeeds (a
#                                      condition of your application)
#
# ZKENSEMBLE names the launcher (default: zkensemble on PATH).

ZKE=${ZKENSEMBLE:-zkensemble}
ZKE_WAIT=${ZKE_WAIT:-30}

zke_up() {
	local base=${BATS_FILE_TMPDIR:-${BATS_TMPDIR:-/tmp}}
	export ZKENSEMBLE_RUNDIR=$base/zkensemble.$$
	ZK_SERVERS=$("$ZKE" up -d -p auto "$@") || return 1
	export ZK_SERVERS
	"$ZKE" wait -t "$ZKE_WAIT" serving
}

zke_down() {
	local pid left=
	[ -n "${ZKENSEMBLE_RUNDIR:-}" ] || return 0
	"$ZKE" down >/dev/null 2>&1 || true
	# Every server had its run directory on its command line.
	for pid in $(pgrep -f "$ZKENSEMBLE_RUNDIR/" || true); do
		[ "$pid" = $$ ] && continue
		kill -0 "$pid" 2>/dev/null && left="$left $pid"
	done
	if [ -n "$left" ]; then
		pkill -KILL -f "$ZKENSEMBLE_RUNDIR/" || true
		echo "zke_down: processes left behind:$left" >&2
		return 1
	fi
}

zke_leader() { "$ZKE" leader; }

zke_follower() {
	"$ZKE" status | awk '$7 == "FOLLOWING" { print $1; found = 1; exit }
	    END { exit !found }'
}

zke_wait() {
	if [ "${1:-}" = -t ]; then
		"$ZKE" wait "$@"
	else
		"$ZKE" wait -t "$ZKE_WAIT" "$@"
	fi
}

# zke_VERB ARGS... is zkensemble VERB ARGS... for these verbs.
for zke_verb in kill pause resume start stop restart isolate partition \
    heal delay elect expire status cli; do
	eval "zke_$zke_verb() { \"\$ZKE\" $zke_verb \"\$@\"; }"
done
unset zke_verb

zke_port() {
	local out
	out=$("$ZKE" port "$1") || return 1
	echo "${out%% *}"
}

zke_until() {
	local limit=$1 start=$SECONDS
	shift
	until "$@"; do
		if (( SECONDS - start >= limit )); then
			echo "zke_until: timed out after ${limit}s: $*" >&2
			return 1
		fi
		sleep 0.02
	done
}
