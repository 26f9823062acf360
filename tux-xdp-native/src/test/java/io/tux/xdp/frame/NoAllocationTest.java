package io.tux.xdp.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Writing and parsing frames allocates nothing per packet (measured with the thread's allocation counter). */
class NoAllocationTest {

    private static final int PACKETS = 200_000;

    @Test
    void writeAndParseAllocateNothingPerPacket() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().threadId();
        FrameTemplate v4 = FrameTemplateTest.templateAtoB();
        FrameTemplate v6 = FrameTemplate.ipv6(FrameTemplateTest.MAC_A, FrameTemplateTest.MAC_B,
                FrameTemplateTest.v6("fd00:77::1"), 1, FrameTemplateTest.v6("fd00:77::2"), 2);
        FrameParser parser = new FrameParser();
        ParsedFrame out = new ParsedFrame();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment umem = arena.allocate(4096);
            loop(v4, v6, parser, out, umem, 20_000); // warm up
            long before = threads.getThreadAllocatedBytes(self);
            long sum = loop(v4, v6, parser, out, umem, PACKETS);
            long allocated = threads.getThreadAllocatedBytes(self) - before;
            assertEquals(2L * (PACKETS + 20_000), parser.accepted());
            assertEquals(PACKETS * (1000L + 1000L), sum);
            assertTrue(allocated < PACKETS / 10, "allocated " + allocated + " bytes for " + 2 * PACKETS + " frames");
        }
    }

    private static long loop(FrameTemplate v4, FrameTemplate v6, FrameParser parser, ParsedFrame out,
                             MemorySegment umem, int packets) {
        long sum = 0;
        for (int i = 0; i < packets; i++) {
            v4.write(umem, 0, 1000);
            if (parser.parse(umem, 0, v4.frameLength(1000), out)) {
                sum += out.payloadLength();
            }
            v6.write(umem, 2048, 1000);
            if (parser.parse(umem, 2048, v6.frameLength(1000), out)) {
                sum += out.payloadLength();
            }
        }
        return sum;
    }
}
