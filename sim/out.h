/* Atomic outputs: a result directory is written under a temporary name and
 * renamed into place only when complete, so a failed run never leaves a
 * half-written directory. Single files go through g_file_set_contents(),
 * which already writes a temporary file and renames it. */
#ifndef NICSTEER_SIM_OUT_H
#define NICSTEER_SIM_OUT_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

struct sim_out;

/* Start writing directory `dir` (created at commit). New handle or NULL. */
struct sim_out *sim_out_begin(const char *dir, GError **err);
/* Write `name` inside the pending directory. */
bool sim_out_write(struct sim_out *o, const char *name, const char *data, gssize len,
                   GError **err);
/* JSON with sorted keys, 2-space indent, trailing newline. */
bool sim_out_write_json(struct sim_out *o, const char *name, const json_t *j, GError **err);
/* Rename into place (replacing an older result directory). Frees `o`. */
bool sim_out_commit(struct sim_out *o, GError **err);
/* Remove the pending directory. NULL-safe. Frees `o`. */
void sim_out_abort(struct sim_out *o);

/* Write one file atomically; JSON variant sorts keys. */
bool sim_out_file(const char *path, const char *data, gssize len, GError **err);
bool sim_out_file_json(const char *path, const json_t *j, GError **err);

#endif
