#!/bin/bash
# A single-node Slurm cluster on loopback in a folder of its own, for the test suite and for trying the sbatch
# scripts on one machine: munged, slurmctld and slurmd of Debian's slurm-wlm and munge, as root (or as the user
# owning the folder), with a slurm.conf written here. Nothing outside the folder is touched.
#
#   deploy/slurm/local-cluster.sh start DIR     # prints the SLURM_CONF to export, waits until the node is idle
#   deploy/slurm/local-cluster.sh stop DIR
set -euo pipefail
action=${1:?start or stop}
dir=${2:?the cluster folder}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

stop() {
  for name in slurmd slurmctld munged; do
    if [ -f "$dir/$name.pid" ]; then kill "$(cat "$dir/$name.pid")" 2>/dev/null || true; fi
  done
  sleep 0.5
  for name in slurmd slurmctld munged; do
    if [ -f "$dir/$name.pid" ]; then kill -9 "$(cat "$dir/$name.pid")" 2>/dev/null || true; rm -f "$dir/$name.pid"; fi
  done
}

if [ "$action" = stop ]; then stop; exit 0; fi

# Descriptors inherited from the caller (a test runner's pipes) would be held open by the daemons for ever: close
# every one above stderr before starting them.
for fd in $(ls /proc/$$/fd); do
  if [ "$fd" -gt 2 ] && [ "$fd" != 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
host=$(hostname -s)
user=$(id -un)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
ctld_port=$(free_port); slurmd_port=$(free_port)
mkdir -p "$dir/state" "$dir/spool" "$dir/munge" "$dir/logs"
chmod 700 "$dir/munge"

# munge: its own key, socket and seed (munged checks that they belong to its user and are not group-writable).
[ -f "$dir/munge/munge.key" ] || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munged.pid" --log-file="$dir/logs/munged.log" --seed-file="$dir/munge/munged.seed" \
  </dev/null >/dev/null 2>&1

cat > "$dir/slurm.conf" <<CONF
ClusterName=hotspot
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/logs/slurmctld.log
SlurmdLogFile=$dir/logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
MaxArraySize=10001
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
export SLURM_CONF=$dir/slurm.conf
# The daemons must not hold the caller's stdout and stderr open (a caller reading them to the end would wait forever).
slurmctld -i -f "$SLURM_CONF" </dev/null >/dev/null 2>&1
slurmd -f "$SLURM_CONF" </dev/null >/dev/null 2>&1
for _ in $(seq 1 120); do
  state=$(sinfo -h -N -o %t 2>/dev/null | head -n1 || true)
  case "$state" in idle*|mix*|alloc*) echo "SLURM_CONF=$SLURM_CONF"; exit 0 ;; esac
  sleep 0.5
done
echo "the Slurm node did not come up (state '${state:-none}'); logs in $dir/logs" >&2
tail -n 20 "$dir/logs/"*.log >&2 || true
stop
exit 1
