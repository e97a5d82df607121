#include "models/kernel/kversion.h"

#include <stdio.h>

bool kern_version_parse(const char *release, unsigned *version)
{
    unsigned major = 0, minor = 0;
    if (!release || sscanf(release, "%u.%u", &major, &minor) != 2 || minor >= 100 || major > 99)
        return false;
    *version = KERN_VERSION(major, minor);
    return true;
}
