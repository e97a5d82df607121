/* The kernel release a host runs, as a model parameter: where the receive path
 * changed between releases the model follows the release it is told (a
 * scenario's /kernel, a bundle's host.kernel). */
#ifndef NICSTEER_KERN_KVERSION_H
#define NICSTEER_KERN_KVERSION_H

#include <stdbool.h>

/* KERNEL_VERSION()-like, major * 100 + minor: 612 = 6.12. */
#define KERN_VERSION(major, minor) ((major)*100u + (minor))
/* The reference kernel of ../shared/spec/linux-ixgbe-reference.md. */
#define KERN_VERSION_DEFAULT KERN_VERSION(6, 12)

/* "6.12.0-fc-v657" or "4.19" (uname -r) -> 612 / 419; false when it does not
 * start with MAJOR.MINOR (minor < 100). */
bool kern_version_parse(const char *release, unsigned *version);

#endif
