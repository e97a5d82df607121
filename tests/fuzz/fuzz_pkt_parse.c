/* libFuzzer target for the frame parser (models/traffic/pkt_parse.c): any
 * bytes on any link type must parse without reading past caplen. First byte
 * picks the link type. Build: -DNICSTEER_FUZZ=ON with clang. */
#include <stddef.h>
#include <stdint.h>

/* The parser's source is compiled into the target itself so that
 * -fsanitize=fuzzer instruments it (the core library is not); the archive's
 * copy is then never pulled in by the linker. */
#include "models/traffic/pkt_parse.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct traffic_pkt p;
    const char *why;
    enum traffic_link link = (enum traffic_link)(data[0] % 7);
    traffic_pkt_parse_link(link, data + 1, (uint32_t)(size - 1), (uint32_t)(size - 1) + data[0], &p,
                           &why);
    return 0;
}
