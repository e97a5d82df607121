# The golden cases (sourced by regen.sh and tests/integration/test_golden.sh).
GOLDEN_SCENARIOS=(default s1-single-queue-cpu0 s3-itr-adaptive s4-gro-on steer4-atr-k5 steer1-rps
    rr-steer1-rfs arfs-on sched2-proxy-xps sched6-acceptor-per-queue replay-validate-mini)
# Paths under ../shared.
GOLDEN_BUNDLES=(traces/veth/rps2 traces/veth/rps-perqueue-xps traces/veth/rps-rfs-unpinned
    traces/veth/udp-burst-rps2 traces/veth-highrate/backlog-default traces/veth16/rps16)
# Drop the producer's version line (git describe: different at every commit).
golden_strip() { sed -i '/^  "nicsteer_version": /d' "$1"; }
