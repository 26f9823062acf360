package io.tux.integration;

import io.tux.xdp.testbed.NetnsTestBed;
import java.io.IOException;
import java.util.Map;

/**
 * The kernel's TCP segment counters ({@code /proc/net/snmp}: {@code Tcp.InSegs}, {@code Tcp.OutSegs},
 * {@code Tcp.RetransSegs}) of both namespaces of a bed: a snapshot, and the difference of two.
 */
record TcpCounters(long inA, long outA, long retransA, long inB, long outB, long retransB) {
    /**
     * The MSS of a TCP connection over the veth pair: MTU 1500 - 20 (IPv4) - 20 (TCP) - 12 (timestamps, on by
     * default in Linux). No data segment carries more; {@code Tcp.OutSegs} counts segments of at most this size
     * even when the stack hands larger (GSO) buffers to the device.
     */
    static final long MSS = 1448;

    static TcpCounters of(NetnsTestBed bed) throws IOException {
        Map<String, Long> a = bed.snmp(bed.nsA());
        Map<String, Long> b = bed.snmp(bed.nsB());
        return new TcpCounters(a.get("Tcp.InSegs"), a.get("Tcp.OutSegs"), a.get("Tcp.RetransSegs"),
                b.get("Tcp.InSegs"), b.get("Tcp.OutSegs"), b.get("Tcp.RetransSegs"));
    }

    TcpCounters minus(TcpCounters before) {
        return new TcpCounters(inA - before.inA, outA - before.outA, retransA - before.retransA, inB - before.inB,
                outB - before.outB, retransB - before.retransB);
    }

    /** The fewest data segments that carry {@code bytes} of payload over TCP. */
    static long segmentsFor(long bytes) {
        return (bytes + MSS - 1) / MSS;
    }

    @Override
    public String toString() {
        return "TCP segments: A in " + inA + " out " + outA + " (retrans " + retransA + "), B in " + inB + " out "
                + outB + " (retrans " + retransB + ")";
    }
}
