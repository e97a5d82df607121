/* Error shape of the cold path: bool/pointer return + GError naming the place.
 * Messages read "<file or JSON path>: <place>: <what was expected>" (STYLE.md §3). */
#ifndef NICSTEER_SIM_ERR_H
#define NICSTEER_SIM_ERR_H

#include <glib.h>
#include <stdbool.h>

#define SIM_ERROR sim_error_quark()
GQuark sim_error_quark(void);

enum sim_error_code {
    SIM_ERROR_INPUT = 1, /* malformed input: scenario, pcap, trace, snapshot */
    SIM_ERROR_IO,        /* file cannot be opened, read or written */
    SIM_ERROR_USAGE,     /* bad command line */
    SIM_ERROR_CONFIG,    /* well-formed but contradictory configuration */
};

/* Set *err (SIM_ERROR, code) from a format and return false: the cold-path
 * idiom `return sim_fail(err, SIM_ERROR_INPUT, "%s: expected …", path);`. */
bool sim_fail(GError **err, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* Prefix an existing error's message with "prefix: " (no-op on NULL). */
void sim_error_prefix(GError **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#endif
