/* Shared command-line behaviour of every subcommand (GOption based). */
#include "sim/cli/cli.h"

#include <stdio.h>

#include "sim/core/err.h"
#include "sim/core/file.h"

bool sim_cli_parse(GOptionContext *ctx, int *argc, char ***argv, const char *sub)
{
    GError *err = NULL;
    if (!g_option_context_parse(ctx, argc, argv, &err)) {
        fprintf(stderr, "nicsteer %s: %s (see nicsteer %s --help)\n", sub, err->message, sub);
        g_error_free(err);
        return false;
    }
    return true;
}

int sim_cli_fail(const char *sub, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "nicsteer %s: %s\n", sub, msg);
    g_free(msg);
    return status;
}

int sim_cli_fail_error(const char *sub, GError *err)
{
    int status = (err && err->domain == SIM_ERROR && err->code == SIM_ERROR_USAGE) ? SIM_EXIT_USAGE
                                                                                   : SIM_EXIT_INPUT;
    sim_cli_fail(sub, status, "%s", err ? err->message : "unknown error");
    g_clear_error(&err);
    return status;
}

