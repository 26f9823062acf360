package io.tux.xdp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tux.core.stack.TuxUnavailableException.Reason;
import io.tux.xdp.xsk.XdpUnavailableException;
import org.junit.jupiter.api.Test;

/** The probe's capability arithmetic and the reason mapping, without privileges. */
class CapabilitiesTest {

    @Test
    void effectiveCapabilitiesAreReadFromStatus() {
        String status = "Name:\tjava\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
                + "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n";
        assertEquals(0x1ffffffffffL, Capabilities.effective(status));
        assertThrows(IllegalArgumentException.class, () -> Capabilities.effective("Name:\tjava\n"));
    }

    @Test
    void missingCapabilitiesAreNamed() {
        long admin = 1L << Capabilities.CAP_NET_ADMIN;
        long raw = 1L << Capabilities.CAP_NET_RAW;
        long bpf = 1L << Capabilities.CAP_BPF;
        long sys = 1L << Capabilities.CAP_SYS_ADMIN;
        assertNull(Capabilities.missing(admin | raw | bpf));
        assertNull(Capabilities.missing(admin | raw | sys), "CAP_SYS_ADMIN covers CAP_BPF");
        assertEquals("CAP_NET_ADMIN CAP_NET_RAW CAP_BPF", Capabilities.missing(0));
        assertEquals("CAP_NET_RAW", Capabilities.missing(admin | bpf));
        assertEquals("CAP_BPF", Capabilities.missing(admin | raw));
    }

    @Test
    void everyAfXdpReasonMapsToAStackReason() {
        assertEquals(Reason.NO_PRIVILEGE, AfXdpStack.map(XdpUnavailableException.Reason.NO_PRIVILEGE));
        assertEquals(Reason.QUEUE_BUSY, AfXdpStack.map(XdpUnavailableException.Reason.QUEUE_BUSY));
        assertEquals(Reason.INTERFACE_BUSY, AfXdpStack.map(XdpUnavailableException.Reason.INTERFACE_BUSY));
        assertEquals(Reason.NO_AF_XDP, AfXdpStack.map(XdpUnavailableException.Reason.NO_AF_XDP));
        assertEquals(Reason.NO_NATIVE_LIBRARY, AfXdpStack.map(XdpUnavailableException.Reason.NO_LIBBPF));
        assertEquals(Reason.NO_ROUTE, AfXdpStack.map(XdpUnavailableException.Reason.NO_INTERFACE));
        assertEquals(Reason.NO_ROUTE, AfXdpStack.map(XdpUnavailableException.Reason.NO_QUEUE));
        assertEquals(Reason.PROGRAM_FAILED, AfXdpStack.map(XdpUnavailableException.Reason.PROGRAM_FAILED));
        assertEquals(Reason.OTHER, AfXdpStack.map(XdpUnavailableException.Reason.NO_MEMORY));
        assertEquals(Reason.OTHER, AfXdpStack.map(XdpUnavailableException.Reason.OTHER));
    }
}
