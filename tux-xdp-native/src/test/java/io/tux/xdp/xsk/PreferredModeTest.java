package io.tux.xdp.xsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tux.xdp.link.AfXdpLink;
import io.tux.xdp.support.Net;
import io.tux.xdp.support.Root;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which XDP mode is tried first: generic on virtual devices (veth, lo), native on physical ones. */
class PreferredModeTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(XdpProgram.MODE_PROPERTY);
    }

    @Test
    void virtualDevicesGetGenericUnlessTheProperty() {
        assertEquals(XdpProgram.Mode.GENERIC, XdpProgram.preferredMode("lo"), "lo has no /sys/class/net/lo/device");
        System.setProperty(XdpProgram.MODE_PROPERTY, "native");
        assertNull(XdpProgram.preferredMode("lo"), "native: native first, then generic");
        System.setProperty(XdpProgram.MODE_PROPERTY, "generic");
        assertEquals(XdpProgram.Mode.GENERIC, XdpProgram.preferredMode("lo"));
    }

    @Test
    void aVethLinkOpensInGenericModeByDefault() throws Exception {
        Root.require();
        try (Net.Veth v = Net.Veth.rootPair();
                AfXdpLink link = AfXdpLink.open(v.a(), 0)) {
            assertEquals(XdpProgram.Mode.GENERIC, link.socket().mode());
            assertEquals(XdpProgram.PROGRAM_NAME, XdpProgram.attachedProgramName(link.socket().ifindex()));
        }
    }
}
