package io.tux.xdp.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.tux.xdp.frame.FrameTemplate;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The link's copy-on-write route table, over ordinary memory. */
class RouteTableTest {

    @Test
    void routeTableFindsRoutesByAddressesAndForgetsClosedOnes() throws Exception {
        Inet4Address a = (Inet4Address) InetAddress.getByName("10.0.0.255");
        Inet4Address b = (Inet4Address) InetAddress.getByName("10.0.0.1");
        FrameTemplate template = FrameTemplate.ipv4(new byte[6], new byte[6], a, 9000, b, 7000);
        RouteTable t = RouteTable.EMPTY;
        assertEquals(-1, t.lookup(1, 2, 3, 4));
        for (int r = 0; r < 100; r++) {
            assertEquals(r, t.freeRoute());
            t = t.with(r, template, 0x0a000000 + r, 7000 + r, 0x0a0000ff, 9000);
        }
        for (int r = 0; r < 100; r++) {
            assertEquals(r, t.lookup(0x0a000000 + r, 7000 + r, 0x0a0000ff, 9000));
            assertSame(template, t.template(r));
        }
        assertEquals(-1, t.lookup(0x0a000000 + 5, 7006, 0x0a0000ff, 9000), "port mismatch");
        assertEquals(-1, t.lookup(0x0a000005, 7005, 0x0a0000fe, 9000), "local address mismatch");
        RouteTable closed = t.with(5, null, 0, 0, 0, 0);
        assertEquals(-1, closed.lookup(0x0a000005, 7005, 0x0a0000ff, 9000));
        assertNull(closed.template(5));
        assertNull(closed.template(-1));
        assertNull(closed.template(100));
        assertEquals(5, closed.freeRoute());
        assertEquals(6, closed.lookup(0x0a000006, 7006, 0x0a0000ff, 9000));
        assertEquals(5, t.lookup(0x0a000005, 7005, 0x0a0000ff, 9000), "old snapshot unchanged");
    }
}
