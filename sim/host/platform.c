/* SimGrid platform generated from the scenario: one single-core host per
 * simulated CPU, a host for the NIC and one for the sending peer, links for
 * the wire and PCIe (SimGrid platform XML, DTD version 4.1). */
#include <glib.h>

#include "sim/host/engine.h"

char *sim_platform_xml(unsigned n_cpus, unsigned link_mbps)
{
    GString *s = g_string_new("<?xml version='1.0'?>\n"
                              "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
                              "<platform version=\"4.1\">\n"
                              "  <zone id=\"host0\" routing=\"Full\">\n");
    for (unsigned c = 0; c < n_cpus; c++)
        g_string_append_printf(s, "    <host id=\"cpu%u\" speed=\"1Gf\" core=\"1\"/>\n", c);
    g_string_append(s, "    <host id=\"nic0\" speed=\"1Gf\"/>\n"
                       "    <host id=\"peer0\" speed=\"1Gf\"/>\n");
    g_string_append_printf(s, "    <link id=\"wire0\" bandwidth=\"%uMbps\" latency=\"0\"/>\n",
                           link_mbps ? link_mbps : 10000);
    /* PCIe 2.0 x8 of an 82599: ~32 Gb/s usable, ~0.5 µs DMA latency */
    g_string_append(s, "    <link id=\"pcie0\" bandwidth=\"32Gbps\" latency=\"500ns\"/>\n");
    g_string_append(s, "    <route src=\"peer0\" dst=\"nic0\"><link_ctn id=\"wire0\"/></route>\n");
    for (unsigned c = 0; c < n_cpus; c++)
        g_string_append_printf(
            s, "    <route src=\"nic0\" dst=\"cpu%u\"><link_ctn id=\"pcie0\"/></route>\n", c);
    g_string_append(s, "  </zone>\n</platform>\n");
    return g_string_free(s, FALSE);
}
