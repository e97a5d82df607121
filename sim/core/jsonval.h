/* What a JSON value is, for the "got …" half of an input error (STYLE.md §3):
 * `/cpus: expected integer in [1, 1024], got "four"`. */
#ifndef NICSTEER_SIM_JSONVAL_H
#define NICSTEER_SIM_JSONVAL_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define SIM_JSON_GOT_LEN 48

/* Write a short rendering of v into buf (a string quoted and cut at ~32
 * characters, a number as written, or the type: null, true, an object, an
 * array of N); returns buf. */
const char *sim_json_got(const json_t *v, char buf[SIM_JSON_GOT_LEN]);

/* The value at a JSON pointer ("/agreement/cpu"; keys without '/' or '~'),
 * NULL when absent or through a non-object. */
json_t *sim_json_pointer(const json_t *root, const char *ptr);

/* PATH=VALUE (a --set argument): VALUE, parsed as JSON (a bare word that is not JSON is
 * taken as a string), stored at the JSON pointer PATH of root, creating the objects on
 * the way; an array element is replaced by index ("/a/2") or appended ("/a/-"). False
 * with a one-line error naming the argument. */
bool sim_json_set(json_t *root, const char *assign, GError **err);

#endif
