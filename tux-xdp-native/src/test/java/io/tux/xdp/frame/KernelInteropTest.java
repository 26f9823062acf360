package io.tux.xdp.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.xdp.testbed.NetnsRequirement;
import io.tux.xdp.testbed.NetnsTestBed;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Root-only: our frames against the kernel's own stack, over a veth pair. Frames written by {@link FrameTemplate}
 * (with routes from the RouteResolver) and put on the wire with AF_PACKET are delivered by the kernel to a UDP
 * socket, and one with a bad UDP checksum is counted and dropped by it; frames the kernel wrote parse with
 * {@link FrameParser}.
 */
class KernelInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    @BeforeEach
    void requireRoot() {
        NetnsRequirement.require();
    }

    private static long mac(NetnsTestBed bed, String ns, String iface) throws IOException {
        Matcher m = MAC.matcher(bed.execIn(ns, "ip", "-o", "link", "show", "dev", iface));
        assertTrue(m.find());
        return MacAddress.toLong(MacAddress.parse(m.group(1)));
    }

    /** Runs RawFrameMain in {@code ns} to completion and returns its output. */
    private static String raw(NetnsTestBed bed, String ns, String... args) throws Exception {
        Process p = bed.start(bed.javaIn(ns, List.of(), RawFrameMain.class.getName(), List.of(args))
                .redirectErrorStream(true));
        assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "RawFrameMain finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static long awaitCounter(NetnsTestBed bed, String ns, String name, long expected) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long value;
        do {
            value = bed.snmp(ns).get(name);
            if (value >= expected) {
                return value;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        } while (System.nanoTime() < deadline);
        return value;
    }

    @Test
    void templateFramesAreDeliveredByTheKernelAndBadChecksumsDropped() throws Exception {
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            String a = bed.addressA().getHostAddress();
            String b = bed.addressB().getHostAddress();
            Process sink = bed.start(bed.javaInB(UdpSinkMain.class.getName(), List.of(b, "7001")));
            NetnsTestBed.awaitLine(sink, "READY", WAIT);
            var b0 = bed.snmp(bed.nsB());

            String sent = raw(bed, bed.nsA(), "send", a, "40000", b, "7001", "74757821");
            assertEquals("DATAGRAM " + a + ":40000 74757821", NetnsTestBed.awaitLine(sink, "DATAGRAM ", WAIT));
            // What went on the wire is what the template writes: parse it back.
            byte[] frame = HexFormat.of().parseHex(sent.lines().filter(l -> l.startsWith("SENT ")).findFirst()
                    .orElseThrow().substring(5));
            ParsedFrame out = new ParsedFrame();
            assertTrue(new FrameParser().parse(MemorySegment.ofArray(frame), 0, frame.length, out));
            assertEquals(mac(bed, bed.nsA(), "vA"), out.srcMac());
            assertEquals(mac(bed, bed.nsB(), "vB"), out.dstMac());

            raw(bed, bed.nsA(), "send", a, "40000", b, "7001", "0102", "corrupt");
            assertEquals(b0.get("Udp.InCsumErrors") + 1, awaitCounter(bed, bed.nsB(), "Udp.InCsumErrors",
                    b0.get("Udp.InCsumErrors") + 1));
            raw(bed, bed.nsA(), "send", a, "40001", b, "7001", "0304050607");
            // One path, in order: had the corrupted datagram been delivered, it would be the next line.
            assertEquals("DATAGRAM " + a + ":40001 0304050607", NetnsTestBed.awaitLine(sink, "DATAGRAM ", WAIT));
            var b1 = bed.snmp(bed.nsB());
            assertEquals(b0.get("Udp.InDatagrams") + 2, b1.get("Udp.InDatagrams"));
            assertEquals(b0.get("Udp.InCsumErrors") + 1, b1.get("Udp.InCsumErrors"));
        }
    }

    @Test
    void ipv6TemplateFramesAreDeliveredByTheKernel() throws Exception {
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            String a = bed.address6A().getHostAddress();
            String b = bed.address6B().getHostAddress();
            Process sink = bed.start(bed.javaInB(UdpSinkMain.class.getName(), List.of(b, "7002")));
            NetnsTestBed.awaitLine(sink, "READY", WAIT);
            raw(bed, bed.nsA(), "send", a, "40002", b, "7002", "0001020304fffe");
            assertEquals("DATAGRAM " + a + ":40002 0001020304fffe", NetnsTestBed.awaitLine(sink, "DATAGRAM ", WAIT));
        }
    }

    @Test
    void kernelWrittenFramesParse() throws Exception {
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            String a = bed.addressA().getHostAddress();
            String b = bed.addressB().getHostAddress();
            Process capture = bed.start(bed.javaInB(RawFrameMain.class.getName(),
                    List.of("capture", "vB", "2", Long.toString(WAIT.toMillis()))));
            NetnsTestBed.awaitLine(capture, "READY", WAIT);

            // With transmit checksum offload on (the veth default) the kernel's frame may cross the pair as
            // CHECKSUM_PARTIAL: only a parser that skips the UDP checksum is sure to take it.
            bed.execIn(bed.nsA(), "bash", "-c", "printf %s 'offloaded' > /dev/udp/" + b + "/7000");
            byte[] first = HexFormat.of().parseHex(NetnsTestBed.awaitLine(capture, "FRAME ", WAIT).substring(6));
            ParsedFrame out = new ParsedFrame();
            FrameParser lenient = new FrameParser(false);
            assertTrue(lenient.parse(MemorySegment.ofArray(first), 0, first.length, out),
                    () -> "dropped: " + lenient.lastDrop());
            assertEquals("offloaded", new String(first, (int) out.payloadOffset(), out.payloadLength(),
                    StandardCharsets.US_ASCII));

            // With it off, the kernel completes the checksum and the strict parser verifies it.
            assertEquals("TXCSUM off", raw(bed, bed.nsA(), "txcsum", "vA", "off").trim());
            bed.execIn(bed.nsA(), "bash", "-c", "printf %s 'hello tux' > /dev/udp/" + b + "/7000");
            byte[] frame = HexFormat.of().parseHex(NetnsTestBed.awaitLine(capture, "FRAME ", WAIT).substring(6));
            FrameParser parser = new FrameParser();
            assertTrue(parser.parse(MemorySegment.ofArray(frame), 0, frame.length, out),
                    () -> "dropped: " + parser.lastDrop());
            assertEquals(InetAddress.getByName(a), out.srcAddress());
            assertEquals(InetAddress.getByName(b), out.dstAddress());
            assertEquals(7000, out.dstPort());
            assertTrue(out.udpChecksumPresent());
            assertEquals("hello tux", new String(frame, (int) out.payloadOffset(), out.payloadLength(),
                    StandardCharsets.US_ASCII));
            assertEquals(mac(bed, bed.nsA(), "vA"), out.srcMac());
            assertEquals(mac(bed, bed.nsB(), "vB"), out.dstMac());
        }
    }
}
