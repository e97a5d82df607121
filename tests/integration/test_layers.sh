#!/usr/bin/env bash
# The floors of the build link only downward (CMakeLists.txt: one static library per
# room); this checks the includes too, which a link cannot see (a struct from a floor
# above), and that the driver reaches the kernel only through kshim.h.
# Args: <nicsteer binary> <source dir>.
set -u
src=$2
cd "$src" || exit 1
# room: the rooms (path prefixes) whose headers it may include, besides its own.
declare -A may=(
    [sim/core]=""
    [models/traffic]="sim/core"
    [models/nic]="models/traffic sim/core"
    [models/sched]="sim/core"
    [models/kernel]="models/sched sim/core"
    # models/app -> models/nic: a poll-mode driver (pmd.c) is user space on the device
    # (vfio-pci), below it only the NIC; nic includes nothing of app, so no cycle.
    [models/app]="models/kernel models/sched models/nic sim/core"
    [nicdrv-model]="models/nic models/traffic sim/core"
    [sim/host]="nicdrv-model models/app models/kernel models/sched models/nic models/traffic sim/core"
    [validate]="sim/host nicdrv-model models/app models/kernel models/sched models/nic models/traffic sim/core"
    [sim/cli]="validate sim/host nicdrv-model models/app models/kernel models/sched models/nic models/traffic sim/core"
)
fails=0
for room in "${!may[@]}"; do
    for f in "$room"/*.c "$room"/*.h; do
        [ -e "$f" ] || continue
        while IFS= read -r inc; do
            dir=${inc%/*}
            ok=0
            for allowed in "$room" ${may[$room]}; do [ "$dir" = "$allowed" ] && ok=1; done
            # The driver's one door into the kernel (a Linux driver's kernel API).
            if [ "$room" = nicdrv-model ] && [ "$dir" = models/kernel ] && [ "$f" = nicdrv-model/kshim.h ]; then ok=1; fi
            [ $ok = 1 ] || { echo "FAIL $f includes $inc: $room may include only ${may[$room]:-nothing else}"; fails=$((fails + 1)); }
        done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | grep -v '^nicsteer_version.h$')
    done
done
echo "$fails layering violations"
[ "$fails" = 0 ]
