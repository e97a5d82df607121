/* Safe, atomic outputs.
 *
 * A result directory is written under a hidden temporary name beside it and
 * swapped into place only when complete (renameat2 RENAME_EXCHANGE), so at
 * every instant DIR is either the old output or the new one, whole.
 *
 * nicsteer never deletes, renames or overwrites what it did not write. Every
 * directory it writes holds a marker, `.nicsteer-output`, listing its files.
 * sim_out_begin() refuses, before any work starts:
 *   - a DIR that is not a directory (or a symlink to nothing);
 *   - a non-empty DIR without the marker, or one holding files the marker
 *     does not list (the user's), unless SIM_OUT_FORCE: then nicsteer's files
 *     are written into DIR one by one (each replaced atomically) and every
 *     other file is left alone;
 *   - a location it cannot write, or a filesystem with almost no space left.
 * Leftover temporaries of an earlier nicsteer that crashed are recognised by
 * name and marker and removed. Directories and files honour the umask. */
#ifndef NICSTEER_SIM_OUT_H
#define NICSTEER_SIM_OUT_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

#define SIM_OUT_MARKER ".nicsteer-output"

enum sim_out_flags {
    SIM_OUT_DEFAULT = 0,
    SIM_OUT_FORCE = 1 << 0, /* write into a foreign non-empty DIR, keeping its other files */
};

struct sim_out;

/* Check DIR and start writing it (created at commit). New handle or NULL
 * with a one-line error; nothing on disk changed in that case. */
struct sim_out *sim_out_begin(const char *dir, unsigned flags, GError **err);
/* Write `name` (a plain file name, no '/') inside the pending directory. */
bool sim_out_write(struct sim_out *o, const char *name, const char *data, gssize len, GError **err);
/* JSON with sorted keys, 2-space indent, trailing newline. */
bool sim_out_write_json(struct sim_out *o, const char *name, const json_t *j, GError **err);
/* List `name` (a plain name) as nicsteer's without writing it: a directory a later
 * nicsteer command fills with an output of its own (a sweep's runs). Such a directory
 * counts as nicsteer's while it is empty or itself a nicsteer output, and is removed with
 * the output that lists it. */
bool sim_out_reserve(struct sim_out *o, const char *name, GError **err);
/* sim_out_reserve(name) and the path where that directory is to be made inside the pending
 * output (new string; NULL on a bad name): a nested output written there (sim_out_begin on
 * the path, its own marker) moves into place with this one, atomically (a multi-host run's
 * DIR/<host>/). */
char *sim_out_subdir(struct sim_out *o, const char *name, GError **err);
/* Put the new output in place (replacing an older nicsteer output). Frees `o`;
 * on failure the old DIR is untouched and no temporary is left. */
bool sim_out_commit(struct sim_out *o, GError **err);
/* Remove the pending directory. NULL-safe. Frees `o`. */
void sim_out_abort(struct sim_out *o);

/* Write one file atomically (temporary + rename). An existing file is
 * replaced only when it is an earlier output of the same kind: JSON with a
 * top-level "nicsteer_version", or text whose first line equals the new
 * data's first line. Anything else is refused with a one-line error. */
bool sim_out_file(const char *path, const char *data, gssize len, GError **err);
bool sim_out_file_json(const char *path, const json_t *j, GError **err);

#endif
