/* GError domain shared by every room of nicsteer. */
#include "sim/core/err.h"

G_DEFINE_QUARK(nicsteer - error - quark, sim_error)

void sim_error_prefix(GError **err, const char *fmt, ...)
{
    if (err == NULL || *err == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *pre = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *msg = g_strdup_printf("%s: %s", pre, (*err)->message);
    g_free((*err)->message);
    (*err)->message = msg;
    g_free(pre);
}

bool sim_fail(GError **err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(err, SIM_ERROR, code, msg);
    g_free(msg);
    return false;
}
