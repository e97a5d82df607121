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

char *sim_platform_hosts_xml(const struct sim_platform_host *h, unsigned n_hosts,
                             const struct sim_platform_cable *c, unsigned n_cables)
{
    GString *s = g_string_new("<?xml version='1.0'?>\n"
                              "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
                              "<platform version=\"4.1\">\n"
                              "  <zone id=\"hosts\" routing=\"Full\">\n");
    for (unsigned i = 0; i < n_hosts; i++) {
        for (unsigned k = 0; k < h[i].n_cpus; k++)
            g_string_append_printf(s, "    <host id=\"%s-cpu%u\" speed=\"1Gf\" core=\"1\"/>\n",
                                   h[i].name, k);
        for (unsigned d = 0; d < 2; d++)
            g_string_append_printf(s, "    <host id=\"%s-eth%u\" speed=\"1Gf\"/>\n", h[i].name, d);
        g_string_append_printf(
            s, "    <link id=\"%s-pcie\" bandwidth=\"32Gbps\" latency=\"500ns\"/>\n", h[i].name);
    }
    for (unsigned i = 0; i < n_cables; i++)
        g_string_append_printf(s,
                               "    <link id=\"cable%u\" bandwidth=\"%gGbps\" "
                               "latency=\"%" G_GUINT64_FORMAT "ns\"/>\n",
                               i, c[i].gbps, c[i].latency_ns);
    for (unsigned i = 0; i < n_hosts; i++)
        for (unsigned d = 0; d < 2; d++)
            for (unsigned k = 0; k < h[i].n_cpus; k++)
                g_string_append_printf(s,
                                       "    <route src=\"%s-eth%u\" dst=\"%s-cpu%u\"><link_ctn "
                                       "id=\"%s-pcie\"/></route>\n",
                                       h[i].name, d, h[i].name, k, h[i].name);
    for (unsigned i = 0; i < n_cables; i++)
        g_string_append_printf(s,
                               "    <route src=\"%s-eth%u\" dst=\"%s-eth%u\"><link_ctn "
                               "id=\"cable%u\"/></route>\n",
                               c[i].a, c[i].a_dev, c[i].b, c[i].b_dev, i);
    g_string_append(s, "  </zone>\n</platform>\n");
    return g_string_free(s, FALSE);
}
