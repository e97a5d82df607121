#include "sim/core/version.h"

#include "nicsteer_version.h"

const char *sim_version(void)
{
    return NICSTEER_VERSION;
}

void sim_version_stamp(json_t *report, int schema_version)
{
    json_object_set_new(report, "nicsteer_version", json_string(NICSTEER_VERSION));
    json_object_set_new(report, "schema_version", json_integer(schema_version));
}
