# Sourced by the benchmarks. On a shared VM the hypervisor gives part of the machine's CPU time
# to other guests ("steal" in /proc/stat); that share moves from run to run, and every figure
# moves with it, so each run reports it.
# cpu_jiffies: "<all jiffies> <steal jiffies>" of all CPUs so far.
cpu_jiffies() { awk '/^cpu / {print $2+$3+$4+$5+$6+$7+$8+$9, $9}' /proc/stat; }
# steal_since "<output of cpu_jiffies>": the steal share since then, e.g. "3%".
steal_since() {
  awk '{printf "%.0f%%", ($4 - $2) * 100 / ($3 - $1 + ($3 == $1))}' <<<"$1 $(cpu_jiffies)"
}
