/* Test helpers shared by the workload suites: run a scenario given as JSON text
 * to its end (window order, seed 1) and look up a thread's result by name. */
#ifndef NICSTEER_TESTS_SIM_HARNESS_H
#define NICSTEER_TESTS_SIM_HARNESS_H

#include "sim/host/machine.h"
#include "sim/host/scenario.h"
#include "tests/unit/cu_main.h"

static inline struct sim_result run(const char *text)
{
    json_t *root = json_loads(text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    GError *err = NULL;
    struct sim_scenario *sc = sim_scenario_from_json(root, "t", NULL, &err);
    if (!sc)
        fprintf(stderr, "%s\n", err->message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    struct sim_run *r = sim_run_new(sc, 1, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct sim_machine *m = sim_run_machine(r);
    sim_machine_run_until(m, sim_machine_end(m));
    struct sim_result res;
    sim_machine_result(m, &res);
    sim_run_free(r);
    sim_scenario_free(sc);
    json_decref(root);
    return res;
}

static inline const struct sim_thread_result *thread(const struct sim_result *r, const char *name)
{
    for (unsigned i = 0; i < r->n_threads; i++)
        if (g_strcmp0(r->threads[i].name, name) == 0)
            return &r->threads[i];
    CU_FAIL("thread not found");
    return &r->threads[0];
}

#endif
