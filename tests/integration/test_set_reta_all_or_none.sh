#!/usr/bin/env bash
# ixgbe_set_rxfh() through the set_reta slot (models/nic/classifier.c): a RETA rewrite a
# policy asks for in on_load reaches the port's table and every stage with the slot, or none.
# A test plugin (built here against the in-tree headers) asks every feedback period for the
# table "all queue 0" and, behind the rss stage in the chain (["rss", "setreta"]), either
# accepts the table in its own slot or refuses it. Accepted: both the port's table and the rss
# stage's are all 0. Refused: every rewrite counts as refused and both tables are the ones a
# run without the plugin has, so the rss stage's already written table was put back.
# Args: <nicsteer binary> <source dir>. Exit 0 pass, 1 fail, 77 skip.
set -u
bin=$1; src=$2
fail() { echo "FAIL: $*"; exit 1; }
for c in cc pkg-config; do command -v $c >/dev/null || { echo "SKIP: $c not installed"; exit 77; }; done
py=/usr/bin/python3
[ -x $py ] || { echo "SKIP: /usr/bin/python3 not installed"; exit 77; }
T=$(mktemp -d /tmp/nicsteer-setreta.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat >"$T/steer_setreta.c" <<'C'
#include "models/nic/steer.h"

struct st {
    int refuse;
    unsigned asked, slot_calls;
};

static void *sr_init(const json_t *cfg, const char *path, const struct steer_env *env,
                     GError **err)
{
    (void)path, (void)env, (void)err;
    struct st *s = g_new0(struct st, 1);
    s->refuse = cfg && json_is_true(json_object_get(cfg, "refuse"));
    return s;
}

static int sr_select(void *st, const struct traffic_pkt *p, const struct steer_ctx *ctx)
{
    (void)st, (void)p, (void)ctx;
    return STEER_NO_MATCH;
}

static void sr_on_load(void *st, const struct steer_load *l)
{
    struct st *s = st;
    unsigned zeros[1024] = {0};
    if (l->reta_size > 1024)
        return;
    s->asked++;
    l->set_reta(l->host, zeros, l->reta_size);
}

static bool sr_set_reta(void *st, const unsigned *q, unsigned n, GError **err)
{
    struct st *s = st;
    (void)q, (void)n;
    s->slot_calls++;
    if (s->refuse)
        g_set_error(err, g_quark_from_static_string("setreta"), 1, "refused");
    return !s->refuse;
}

static json_t *sr_dump(void *st)
{
    struct st *s = st;
    return json_pack("{s:i, s:i}", "asked", (int)s->asked, "slot_calls", (int)s->slot_calls);
}

const struct steer_policy_ops nicsteer_policy_ops = {
    .abi_version = NICSTEER_STEER_ABI,
    .name = "setreta",
    .init = sr_init,
    .select_rxq = sr_select,
    .on_load = sr_on_load,
    .set_reta = sr_set_reta,
    .dump = sr_dump,
    .destroy = g_free,
};
C
cc -shared -fPIC -Wall -Werror -I"$src" $(pkg-config --cflags glib-2.0 jansson) \
    "$T/steer_setreta.c" -o "$T/steer_setreta.so" 2>"$T/cc.log" || { cat "$T/cc.log"; fail "building the test plugin"; }
run() { # out-dir chain [extra --set]
    local out=$1 chain=$2; shift 2
    "$bin" run "$src/scenarios/default.json" --quiet --out "$T/$out" --set "/nic/steering/chain=$chain" "$@" \
        2>"$T/err" || { cat "$T/err"; fail "run $out"; }
}
run plain '["rss"]'
export NICSTEER_PLUGIN_PATH=$T # the chain names it "setreta": $T/steer_setreta.so
run accept '["rss", "setreta"]'
run refuse '["rss", "setreta"]' --set '/nic/steering/setreta={"refuse": true}'
$py - "$T" <<'PY' || exit 1
import json, sys
T = sys.argv[1]
def cls(d):
    return json.load(open("%s/%s/summary.json" % (T, d)))["classifier"]
def fail(m):
    print("FAIL: " + m); sys.exit(1)
plain = cls("plain")["rss"]["reta"]["entries"]
for mode in ("accept", "refuse"):
    c = cls(mode)
    stage = c["stages"]["setreta"]["state"]
    fb, port, rss = c["feedback"], c["rss"]["reta"]["entries"], c["stages"]["rss"]["state"]["reta"]["entries"]
    if stage["asked"] < 2 or stage["slot_calls"] != stage["asked"]:
        fail("%s: the plugin asked %d rewrites, its slot saw %d" % (mode, stage["asked"], stage["slot_calls"]))
    if mode == "accept":
        if fb["reta_rewrites"] != stage["asked"] or fb["reta_refused"] != 0:
            fail("accept: feedback %s for %d asked" % (fb, stage["asked"]))
        if set(port) != {0} or port != rss:
            fail("accept: the new table is not in both the port's and the rss stage's RETA")
    else:
        if fb["reta_refused"] != stage["asked"] or fb["reta_rewrites"] != 0:
            fail("refuse: feedback %s for %d asked" % (fb, stage["asked"]))
        if port != plain or rss != plain:
            fail("refuse: a refused rewrite left a changed table (port %s, rss stage %s)" %
                 (port[:8], rss[:8]))
    print("ok   %s: %d rewrites asked, feedback %s" % (mode, stage["asked"], fb))
PY
