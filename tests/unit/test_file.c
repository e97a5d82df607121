/* sim/file.c: an input path that is not a regular file is refused by name, a
 * small input over its cap is refused before it is read, and a JSON syntax
 * error names the file, line and column. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/core/err.h"
#include "sim/core/file.h"
#include "tests/unit/cu_main.h"

static char *write_tmp(const char *text, gsize len)
{
    char *p = NULL;
    int fd = g_file_open_tmp("nicsteer-file-XXXXXX", &p, NULL);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    CU_ASSERT_FATAL(g_file_set_contents(p, text, (gssize)len, NULL));
    return p;
}

static void test_file_refuses_a_directory_and_a_fifo(void)
{
    char *dir = g_dir_make_tmp("nicsteer-file-XXXXXX", NULL);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(sim_file_read(dir, 100, "x", NULL, &err));
    CU_ASSERT(err && strstr(err->message, ": is a directory, expected a file"));
    CU_ASSERT(err && err->code == SIM_ERROR_IO);
    g_clear_error(&err);
    char *fifo = g_build_filename(dir, "f", NULL);
    CU_ASSERT_FATAL(mkfifo(fifo, 0600) == 0);
    /* A FIFO would block a read forever: refused without opening it. */
    CU_ASSERT_FALSE(sim_file_check_regular(fifo, &err));
    CU_ASSERT(err && strstr(err->message, "f: is a FIFO, expected a file"));
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(sim_file_load_json(fifo, 0, &err));
    CU_ASSERT(err && strstr(err->message, "is a FIFO"));
    g_clear_error(&err);
    g_unlink(fifo);
    char *missing = g_build_filename(dir, "none.json", NULL);
    CU_ASSERT_PTR_NULL(sim_file_load_json(missing, 0, &err));
    CU_ASSERT(err && strstr(err->message, "none.json: No such file or directory"));
    g_clear_error(&err);
    g_rmdir(dir);
    g_free(missing);
    g_free(fifo);
    g_free(dir);
}

static void test_file_read_caps_the_size(void)
{
    char *p = write_tmp("abcdef", 6);
    GError *err = NULL;
    size_t len = 0;
    char *t = sim_file_read(p, 6, "a dump", &len, &err);
    CU_ASSERT_STRING_EQUAL(t, "abcdef");
    CU_ASSERT_EQUAL(len, 6);
    g_free(t);
    CU_ASSERT_PTR_NULL(sim_file_read(p, 5, "a dump", NULL, &err));
    CU_ASSERT(err && strstr(err->message, ": 6 bytes, expected at most 5 for a dump"));
    CU_ASSERT(err && err->code == SIM_ERROR_INPUT);
    g_clear_error(&err);
    g_unlink(p);
    g_free(p);
}

static void test_file_json_error_names_line_and_column(void)
{
    char *p = write_tmp("{\n  \"a\": 1,\n  \"b\": }\n", 20);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(sim_file_load_json(p, 0, &err));
    char *want = g_strdup_printf("%s:3:", p);
    CU_ASSERT(err && g_str_has_prefix(err->message, want));
    g_clear_error(&err);
    g_unlink(p);
    g_free(want);
    g_free(p);
}

static CU_TestInfo cases[] = {
    {"a directory and a FIFO are refused by name", test_file_refuses_a_directory_and_a_fifo},
    {"read caps the size", test_file_read_caps_the_size},
    {"a JSON error names line and column", test_file_json_error_names_line_and_column},
    CU_TEST_INFO_NULL,
};

CU_MAIN("file", cases)
