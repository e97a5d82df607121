/* What every JSON report says about its producer: nicsteer_version (git
 * describe at build time) and the report's schema_version. */
#ifndef NICSTEER_SIM_VERSION_H
#define NICSTEER_SIM_VERSION_H

#include <jansson.h>

/* "0.1.0+g<describe>" from a git checkout, "0.1.0" from a release tarball. */
const char *sim_version(void);

/* Set "nicsteer_version" and "schema_version" on a report object. */
void sim_version_stamp(json_t *report, int schema_version);

#endif
