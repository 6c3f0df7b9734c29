#!/usr/bin/env bash
# Starts a real single-node Slurm (munge + slurmctld + slurmd, Debian's Slurm 22.05) inside the
# test, submits probe sweeps through `gbmsweep jobs slurm`, and stops every daemon it started by
# PID whatever happens. Exit 77 (CTest: skipped) with a reason when Slurm cannot start here.
#   slurm_test.sh GBMSWEEP_EXE WORKDIR
set -uo pipefail
EXE=$1
WORK=$2
SKIP=77

say() { echo "[slurm-test $(date +%H:%M:%S)] $*"; }
skip() { say "SKIPPED: $*"; exit $SKIP; }
fail() { say "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root to run slurmctld/slurmd as root"
for b in slurmctld slurmd sbatch squeue scontrol munged srun; do
  command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || skip "$b is not installed (apt-get install slurm-wlm munge)"
done
export PATH=$PATH:/usr/sbin

rm -rf "$WORK"
mkdir -p "$WORK"/{spool/ctld,spool/d,log}
host=$(hostname -s)
started_munge=
cleanup() {
  set +e
  scancel --user="$(id -un)" >/dev/null 2>&1
  for i in $(seq 1 20); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.5; done
  for f in "$WORK/slurmd.pid" "$WORK/slurmctld.pid" $started_munge; do
    [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
  done
  sleep 1
}
trap cleanup EXIT

# munge: reuse a running daemon, else start one as the munge user (SLURM.md).
if ! munge -n >/dev/null 2>&1; then
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  [ -f /etc/munge/munge.key ] || { mungekey -c 2>/dev/null || create-munge-key -f 2>/dev/null; }
  chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null
  runuser -u munge -- /usr/sbin/munged || skip "munged did not start"
  started_munge=/run/munge/munged.pid
  for i in $(seq 1 20); do munge -n >/dev/null 2>&1 && break; sleep 0.25; done
  munge -n >/dev/null 2>&1 || skip "munge does not answer"
fi

node=$(slurmd -C 2>/dev/null | head -n 1)
[ -n "$node" ] || skip "slurmd -C printed nothing"
# Advertise 8 CPUs (this machine may have 2) so that tests never wait for cores and a
# whole-node GPU job has cores to share: 8 over its 3 ranks is 2 threads each.
node=$(echo "$node" | sed 's/CPUs=[0-9]*/CPUs=8/; s/Boards=[0-9]* //; s/SocketsPerBoard=[0-9]*/SocketsPerBoard=1/; s/CoresPerSocket=[0-9]*/CoresPerSocket=8/; s/ThreadsPerCore=[0-9]*/ThreadsPerCore=1/')
# Two fake GPUs for the GPU-job scenario: Slurm grants gres/gpu only for character devices, so
# two nodes aliasing /dev/null. Without mknod (an unprivileged container) that scenario skips.
gres_types= node_gres=
mkdir -p "$WORK/dev"
if mknod "$WORK/dev/nvidia0" c 1 3 2>/dev/null && mknod "$WORK/dev/nvidia1" c 1 3 2>/dev/null; then
  gres_types=GresTypes=gpu node_gres=Gres=gpu:2
  echo "Name=gpu File=$WORK/dev/nvidia[0-1]" > "$WORK/gres.conf"
fi
cat > "$WORK/slurm.conf" <<CONF
ClusterName=gbmsweeptest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$WORK/spool/ctld
SlurmdSpoolDir=$WORK/spool/d
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
MpiDefault=pmix
MailProg=/bin/true
ReturnToService=2
JobRequeue=1
KillWait=20
MinJobAge=600
$gres_types
$node $node_gres State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$WORK/slurm.conf
slurmctld -c || skip "slurmctld did not start (see $WORK/log/slurmctld.log)"
slurmd || skip "slurmd did not start (see $WORK/log/slurmd.log)"
ready=
for i in $(seq 1 40); do
  if timeout 10 srun -Q -n1 -t 1 true >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.5
done
[ -n "$ready" ] || skip "Slurm did not become ready (see $WORK/log)"
say "Slurm is up on $host"

# A probe sweep long enough (about 100 s on 2 ranks) that a 2-minute job must drain once.
cat > "$WORK/probe.toml" <<TOML
[sweep]
name = "slurm_probe"
[probe]
tasks = 36
levels = 3
fanin = 2
sleep_min = 3.0
sleep_max = 5.0
seed = 7
TOML
total=$("$EXE" plan "$WORK/probe.toml" --json | grep -o '"total": *[0-9]*' | grep -o '[0-9]*$')
[ "$total" = 36 ] || fail "plan has $total tasks, expected 36"

status_field() {  # status_field STORE FIELD [SWEEP]
  "$EXE" status --store "$1" --sweep "${3:-$WORK/probe.toml}" --json 2>/dev/null |
    grep -o "\"$2\": *[0-9]*" | head -n 1 | grep -o '[0-9]*$'
}

wait_for_report() {  # wait_for_report STORE DEADLINE_S
  local store=$1 deadline=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ -z "$(squeue -h -u "$(id -un)")" ]; then
      [ -d "$store/report" ] && return 0
      # No job queued and no report: the chain stopped.
      sleep 2
      [ -z "$(squeue -h -u "$(id -un)")" ] && [ ! -d "$store/report" ] && return 1
    fi
    sleep 2
  done
  return 1
}

check_complete() {  # check_complete STORE [TASKS SWEEP]
  local store=$1 want=${2:-$total} sweep=${3:-$WORK/probe.toml} done failed
  done=$(status_field "$store" done "$sweep")
  failed=$(status_field "$store" failed "$sweep")
  [ "$done" = "$want" ] || fail "$store: $done of $want tasks done"
  [ "$failed" = 0 ] || fail "$store: $failed tasks failed"
  # Every task exactly once in the store.
  local keys
  keys=$("$EXE" status --store "$store" --json | grep -o '"key": *"[0-9a-f]*"' | sort | uniq -d | wc -l)
  [ "$keys" = 0 ] || fail "$store: duplicated task keys"
  ls "$store"/report/* >/dev/null 2>&1 || fail "$store: no report written"
}

# 1. Walltime: a 2-minute job that drains on SIGTERM and resubmits itself until complete.
store1=$WORK/store-walltime
"$EXE" jobs slurm "$WORK/probe.toml" --store "$store1" --ranks-per-node 2 --time 00:02:00 \
  --signal-lead 50 --max-resubmits 6 > "$WORK/walltime.sbatch" || fail "jobs slurm failed"
job=$(sbatch --parsable "$WORK/walltime.sbatch") || fail "sbatch refused the script"
say "submitted walltime job $job"
wait_for_report "$store1" 600 || { cat "$store1"/slurm-*.out; fail "walltime chain did not complete"; }
jobs_used=$(ls "$store1"/slurm-*.out | wc -l)
cat "$store1"/slurm-*.out
[ "$jobs_used" -ge 2 ] || fail "expected at least one drain-and-resubmit cycle, got $jobs_used job(s)"
grep -q "SIGTERM: draining" "$store1"/slurm-*.out || fail "no drain was logged"
check_complete "$store1"
say "walltime chain: complete after $jobs_used jobs"

# 2. scancel mid-run, then submit again: the second submission resumes and completes.
store2=$WORK/store-scancel
"$EXE" jobs slurm "$WORK/probe.toml" --store "$store2" --ranks-per-node 2 --time 00:10:00 \
  --max-resubmits 0 > "$WORK/scancel.sbatch" || fail "jobs slurm failed"
job=$(sbatch --parsable "$WORK/scancel.sbatch") || fail "sbatch refused the script"
deadline=$(( $(date +%s) + 120 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  d=$(status_field "$store2" done)
  [ -n "$d" ] && [ "$d" -ge 6 ] && break
  sleep 1
done
scancel "$job"
for i in $(seq 1 60); do [ -z "$(squeue -h -u "$(id -un)")" ] && break; sleep 1; done
d=$(status_field "$store2" done)
say "cancelled job $job with $d of $total tasks done"
[ -n "$d" ] || fail "the store is unreadable after scancel"
[ "$d" -lt "$total" ] || fail "job finished before it could be cancelled"
[ ! -d "$store2/report" ] || fail "a report was written for an incomplete store"
job=$(sbatch --parsable "$WORK/scancel.sbatch") || fail "resubmission refused"
wait_for_report "$store2" 300 || { cat "$store2"/slurm-*.out; fail "resumed job did not complete"; }
check_complete "$store2"
say "scancel + resubmit: complete"

# 3. GPU jobs (2 fake GPUs granted by Slurm, no CUDA here): `--gpus-per-node 2` must ask for the
# coordinator + one worker per GPU, and both launchers must start exactly those ranks with
# their share of the cores: 1 core each with --cpus-per-rank 1 (srun), and on a whole node
# (--exclusive) 8 cores / 3 ranks = 2 threads each (srun and mpirun).
cat > "$WORK/small.toml" <<TOML
[sweep]
name = "slurm_gpu_probe"
[probe]
tasks = 6
levels = 2
fanin = 2
sleep_min = 0.2
sleep_max = 0.5
seed = 3
TOML
[ -n "$gres_types" ] || { say "2 passed; GPU jobs skipped: mknod failed, so no fake GPUs"; exit 0; }
for run in "srun 1 1" "srun 0 2" "mpirun 0 2"; do
  read -r launcher cpus threads <<< "$run"
  name=gpu-$launcher-c$cpus
  store=$WORK/store-$name
  "$EXE" jobs slurm "$WORK/small.toml" --store "$store" --gpus-per-node 2 --cpus-per-rank "$cpus" \
    --launcher "$launcher" --time 00:05:00 --max-resubmits 0 > "$WORK/$name.sbatch" ||
    fail "jobs slurm --gpus-per-node failed"
  grep -q '^#SBATCH --ntasks=3$' "$WORK/$name.sbatch" || fail "no --ntasks=3 in the GPU script"
  job=$(sbatch --parsable "$WORK/$name.sbatch") || fail "sbatch refused the GPU script ($name)"
  wait_for_report "$store" 180 || { cat "$store"/slurm-*.out; fail "GPU job ($name) did not complete"; }
  cat "$store"/slurm-*.out
  scontrol show job -d "$job" | grep -q 'JOB_GRES=gpu:2' || fail "Slurm did not grant the 2 GPUs ($name)"
  grep -q "on 2 worker rank(s) (rank 0 coordinates), $threads thread(s) per rank" "$store"/slurm-*.out ||
    fail "the GPU job ($name) did not start the coordinator + 2 workers with $threads thread(s) each"
  check_complete "$store" 6 "$WORK/small.toml"
  say "GPU job $name: coordinator + 2 workers, $threads thread(s) each, complete"
done
echo "5 passed, 0 failed"
