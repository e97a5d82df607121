/* Opening the user's input files: a directory, a FIFO or a device given where a
 * file is expected is refused by name before anything reads it (#10), and the
 * small text inputs are read whole only under a size cap. */
#ifndef NICSTEER_SIM_FILE_H
#define NICSTEER_SIM_FILE_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* True if path names a regular file (after symlinks); else SIM_ERROR_IO
 * "PATH: is a directory, expected a file" (or a FIFO, a device, the errno). */
bool sim_file_check_regular(const char *path, GError **err);

/* Read a regular file of at most max bytes whole (NUL-terminated; *len without
 * it, len may be NULL); what names the content in the too-big message. */
char *sim_file_read(const char *path, size_t max, const char *what, size_t *len, GError **err);

/* json_load_file of a regular file; a parse error reads
 * "PATH:LINE:COL: TEXT" (the place as Jansson found it). */
json_t *sim_file_load_json(const char *path, size_t flags, GError **err);

#endif
