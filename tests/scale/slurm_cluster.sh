#!/bin/sh
# scale/chaff-array.sbatch on a real one-node Slurm cluster (Debian's slurm-wlm and munge)
# that this test starts in a temporary directory and stops: a munge key, munged, a generated
# slurm.conf (this host's name, CPUs and memory from slurmd -C, free ports on 127.0.0.1),
# slurmctld and slurmd, all as root. It submits the array over 8 WET files and checks the
# outputs equal a single-process run byte for byte and the summed totals equal its totals;
# then runs it again over the same list with one input a FIFO that stalls half-way, cancels
# that task once its partial output is written, submits the array again, and checks the result
# is complete and equal to the single-process run, with nothing done twice or lost.
# Skips (77) when not root or when slurm-wlm or munge is not installed.
# Usage: slurm_cluster.sh CHAFF_BINARY TESTS_DATA_DIR SCALE_DIR
chaff=$(realpath "$1")
data=$(realpath "$2")
scale=$(realpath "$3")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_slurm.XXXXXX") || exit 1
tmp=$(realpath "$tmp")
LC_ALL=C
export LC_ALL
. "$(dirname "$0")/common.inc"
writer=
daemons= # slurmd slurmctld munged, run in the foreground as children of this shell
cleanup() {
    [ -n "$writer" ] && kill "$writer" 2>/dev/null
    if [ -f "$tmp/slurm.conf" ]; then
        # The jobs first: slurmstepd outlives a stopped slurmd.
        export SLURM_CONF="$tmp/slurm.conf"
        scancel --quiet --user=root 2>/dev/null
        n=0
        while [ -n "$(squeue -h 2>/dev/null)" ] && [ $n -lt 100 ]; do
            sleep 0.2
            n=$((n + 1))
        done
    fi
    for pid in $daemons; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The array script refuses an array that does not start at 0 (no cluster needed).
if SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=8 \
    SLURM_ARRAY_TASK_COUNT=8 bash "$scale/chaff-array.sbatch" "$tmp/list" "$tmp/x" 2>"$tmp/err"; then
    fail "chaff-array.sbatch ran shards of an array 1-8"
fi
grep -qF "submit --array=0-" "$tmp/err" || fail "chaff-array.sbatch: $(cat "$tmp/err")"

[ "$(id -u)" -eq 0 ] || { echo "not root: cannot start munged, slurmctld, slurmd: skipped"; exit 77; }
for c in munged mungekey slurmctld slurmd sbatch squeue scancel scontrol python3; do
    command -v $c >/dev/null || {
        echo "$c not found (.ci/install-deps --slurm installs slurm-wlm and munge): skipped"
        exit 77
    }
done

# --- the inputs, and the single-process run
make_wets "$tmp/in" 8
# One bigger file, so that its output is half written when the task is cancelled.
python3 "$data/make_arch.py" make --format wet --gzip --bytes 2500000 --seed 5 \
    --source "$data/fixture_small.tsv" "$tmp/in/CC-TEST-00005.warc.wet.gz" /dev/null ||
    fail "make_arch.py"
"$chaff" classify -o clean --output-dir "$tmp/ref" --inputs "$tmp/in.list" \
    --stats-json "$tmp/ref.json" || fail "the single-process run"

# --- the cluster
mkdir "$tmp/state" "$tmp/spool" "$tmp/log"
mungekey --create --keyfile="$tmp/munge.key" || fail "mungekey"
# start NAME COMMAND...: runs a daemon in the foreground, in the background of this shell.
start() {
    name=$1
    shift
    "$@" >"$tmp/log/$name.out" 2>&1 &
    daemons="$! $daemons"
}
# wait_for WHAT TEST...: waits (at most 20 s) until TEST succeeds.
wait_for() {
    what=$1
    shift
    n=0
    until "$@"; do
        n=$((n + 1))
        [ $n -lt 100 ] || fail "$what: not ready after 20 s: $(tail -n 5 "$tmp"/log/*)"
        sleep 0.2
    done
}
start munged munged --foreground --force --key-file="$tmp/munge.key" --socket="$tmp/munge.sock" \
    --log-file="$tmp/log/munged.log" --pid-file="$tmp/munged.pid" --seed-file="$tmp/munged.seed"
wait_for munged test -S "$tmp/munge.sock"
host=$(hostname -s)
node=$(slurmd -C | grep '^NodeName=') || fail "slurmd -C"
ports=$(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))') || fail "no free port"
cat >"$tmp/slurm.conf" <<EOF
ClusterName=chafftest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=${ports% *}
SlurmdPort=${ports#* }
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge.sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
KillWait=5
MinJobAge=600
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
SLURM_CONF=$tmp/slurm.conf
export SLURM_CONF
start slurmctld slurmctld -D -c -f "$tmp/slurm.conf"
start slurmd slurmd -D -f "$tmp/slurm.conf" -N "$host"
node_idle() {
    [ "$(sinfo -h -N -o %t 2>/dev/null)" = idle ]
}
wait_for "the node" node_idle

# submit LIST OUTDIR [sbatch options]: submits the array over LIST, prints the job id.
submit() {
    list=$1
    out=$2
    shift 2
    CHAFF=$chaff sbatch --parsable --array=0-7 --chdir="$tmp" --output="$tmp/log/%A_%a.log" \
        "$@" "$scale/chaff-array.sbatch" "$list" "$out" -o clean || fail "sbatch"
}
# wait_job JOB: waits (at most 90 s) until the job has left the queue.
wait_job() {
    n=0
    while [ -n "$(squeue -h -j "$1" 2>/dev/null)" ]; do
        n=$((n + 1))
        [ $n -lt 450 ] || fail "job $1 still queued after 90 s: $(squeue -j "$1")"
        sleep 0.2
    done
}
# states JOB: the states of the job's array tasks, as "TASK=STATE ..." in task order.
states() {
    scontrol -o show job "$1" | sed -n 's/.*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z]*\) .*/\1=\2/p' |
        sort -n | tr '\n' ' '
}

# --- one run: the outputs and the totals of a single process
job=$(submit "$tmp/in.list" "$tmp/out1")
wait_job "$job"
[ "$(states "$job")" = "0=COMPLETED 1=COMPLETED 2=COMPLETED 3=COMPLETED 4=COMPLETED 5=COMPLETED \
6=COMPLETED 7=COMPLETED " ] || fail "job $job: $(states "$job"); $(cat "$tmp/log/${job}"_*.log)"
same_outputs "$tmp/out1" "$tmp/ref"
"$chaff" stats-sum "$tmp/out1/.chaff-shards/"*-of-8.json >"$tmp/sum1.json" || fail "stats-sum"
same_totals "$tmp/sum1.json" "$tmp/ref.json"
[ "$(json "$tmp/sum1.json" 's["inputs"]["done"], s["runs"]')" = "(8, 8)" ] ||
    fail "the totals of run 1: $(cat "$tmp/sum1.json")"

# --- a task cancelled mid-way, then the array submitted again
mkdir "$tmp/in2"
sed "s|$tmp/in/|$tmp/in2/|" "$tmp/in.list" >"$tmp/in2.list"
for f in "$tmp"/in/*.gz; do
    ln -s "$f" "$tmp/in2/"
done
slow=$tmp/in2/CC-TEST-00005.warc.wet.gz
rm "$slow"
mkfifo "$slow"
# 2.2 of its 3.1 MB (chaff reads gzip input by the MB), then the FIFO stays open with nothing
# more to read.
sh -c 'head -c 2200000 "$1"; exec sleep 120' sh "$tmp/in/CC-TEST-00005.warc.wet.gz" \
    >"$slow" 2>/dev/null &
writer=$!
job=$(submit "$tmp/in2.list" "$tmp/out2")
part=$tmp/out2/CC-TEST-00005.warc.wet.gz.part
n=0
until [ -s "$part" ] && [ "$(ls "$tmp/out2" | grep -c 'gz$')" -eq 7 ]; do
    n=$((n + 1))
    [ $n -lt 300 ] || fail "no half-written output after 60 s: $(ls -la "$tmp/out2")"
    sleep 0.2
done
[ "$(squeue -h -j "${job}_5" -o %T)" = RUNNING ] || fail "task 5 is not running"
scancel "${job}_5" || fail "scancel"
wait_job "$job"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
writer=
states "$job" | grep -q "5=CANCELLED" || fail "task 5 was not cancelled: $(states "$job")"
[ -e "$tmp/out2/CC-TEST-00005.warc.wet.gz" ] && fail "a cancelled task left an output"
[ -f "$part" ] || fail "the cancelled task's .part is gone"
ls -i "$tmp/out2" | grep 'gz$' >"$tmp/inodes"
rm "$slow"
ln -s "$tmp/in/CC-TEST-00005.warc.wet.gz" "$slow"
job=$(submit "$tmp/in2.list" "$tmp/out2")
wait_job "$job"
[ "$(states "$job")" = "0=COMPLETED 1=COMPLETED 2=COMPLETED 3=COMPLETED 4=COMPLETED 5=COMPLETED \
6=COMPLETED 7=COMPLETED " ] || fail "job $job: $(states "$job"); $(cat "$tmp/log/${job}"_*.log)"
same_outputs "$tmp/out2" "$tmp/ref"
ls -i "$tmp/out2" | grep 'gz$' | grep -v CC-TEST-00005 | cmp -s - "$tmp/inodes" ||
    fail "the second submission rewrote outputs that were done"
"$chaff" stats-sum "$tmp/out2/.chaff-shards/"*-of-8.json >"$tmp/sum2.json" || fail "stats-sum"
same_totals "$tmp/sum2.json" "$tmp/ref.json"
[ "$(json "$tmp/sum2.json" 's["inputs"]')" = \
    "{'total': 8, 'done': 1, 'skipped': 7, 'failed': 0, 'skipped_without_stats': 0}" ] ||
    fail "the totals of the second submission: $(cat "$tmp/sum2.json")"
echo "Slurm job array on a one-node cluster: ok"
