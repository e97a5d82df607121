/* Parsing of a trace line's event fields (validate/trace_fields.c), for validate/trace.c. */
#ifndef NICSTEER_VALIDATE_TRACE_FIELDS_H
#define NICSTEER_VALIDATE_TRACE_FIELDS_H

#include "validate/trace.h"

/* Fills ev->u for ev->kind from the fields text f (cut in place for a syscall's ')');
 * NULL, or why the fields do not fit the event's format. */
const char *val_trace_parse_fields(struct val_trace_event *ev, const char *f);
/* strtol(s, NULL, 10) */
long val_trace_dec_long(const char *s);
/* At most cap - 1 bytes of s[0..n) into dst, NUL-terminated. */
void val_trace_copy_str(char *dst, size_t cap, const char *s, size_t n);

#endif
