package io.tux.xdp.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CountersParseTest {

    static final String SNMP = """
            Ip: Forwarding DefaultTTL InReceives
            Ip: 2 64 17
            Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens InSegs OutSegs
            Tcp: 1 200 120000 -1 3 1 42 40
            Udp: InDatagrams NoPorts
            Udp: 5 0
            """;

    @Test
    void parsesGroupsAndNames() {
        Map<String, Long> c = NetnsTestBed.parseCounters(SNMP);
        assertEquals(13, c.size());
        assertEquals(42L, c.get("Tcp.InSegs"));
        assertEquals(40L, c.get("Tcp.OutSegs"));
        assertEquals(-1L, c.get("Tcp.MaxConn"));
        assertEquals(3L, c.get("Tcp.ActiveOpens"));
        assertEquals(17L, c.get("Ip.InReceives"));
        assertEquals(5L, c.get("Udp.InDatagrams"));
    }

    @Test
    void rejectsMismatchedLines() {
        assertThrows(IllegalArgumentException.class, () -> NetnsTestBed.parseCounters("Tcp: A B\nTcp: 1\n"));
        assertThrows(IllegalArgumentException.class, () -> NetnsTestBed.parseCounters("Tcp: A B\nUdp: 1 2\n"));
        assertThrows(IllegalArgumentException.class, () -> NetnsTestBed.parseCounters("Tcp: A B\n"));
    }
}
