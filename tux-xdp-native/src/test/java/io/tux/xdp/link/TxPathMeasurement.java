package io.tux.xdp.link;

import io.tux.core.buffer.ByteRing;
import io.tux.core.packet.PacketCodec;
import io.tux.core.packet.TuxHeader;
import io.tux.xdp.support.FixedRoutes;
import io.tux.xdp.support.Net;
import io.tux.xdp.xsk.XdpSocket;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Measurement main (not a test), as root: the Java cost of putting one DATA packet on an AF_XDP TX ring, without
 * the kernel's part, one of two ways per JVM (sharing a JVM would let one way's type profile slow the other's
 * code): {@code scratch}, as the engine did it before {@code Link.claim} (header and payload assembled in a
 * scratch buffer, then {@code send} copies it into the UMEM frame), or {@code inplace}, as it does now (header and
 * payload written straight into the claimed frame, then {@code commit}). Each timed batch fills the TX ring (2048
 * packets) without a kick; the ring is then kicked and drained untimed. Prints the best ns per packet per payload
 * size. {@code java --enable-native-access=ALL-UNNAMED -cp <test class path> io.tux.xdp.link.TxPathMeasurement
 * scratch|inplace [payload...]}; run the two ways alternately to compare.
 */
public final class TxPathMeasurement {

    private TxPathMeasurement() {}

    public static void main(String[] args) throws Exception {
        int only = args.length > 0 && args[0].equals("scratch") ? 0 : 1;
        int[] payloads = args.length <= 1 ? new int[] {1440, 3440}
                : java.util.Arrays.stream(args).skip(1).mapToInt(Integer::parseInt).toArray();
        try (Net.Veth v = Net.Veth.rootPair()) {
            Net.run("ip", "link", "set", "dev", v.a(), "mtu", "3500");
            Net.run("ip", "link", "set", "dev", v.b(), "mtu", "3500");
            try (AfXdpLink la = FixedRoutes.linkOnA(v); AfXdpLink lb = FixedRoutes.linkOnB(v)) {
                int ra = la.openRoute(new InetSocketAddress("10.77.205.1", 7001), new InetSocketAddress("10.77.205.2", 7002));
                lb.openRoute(new InetSocketAddress("10.77.205.2", 7002), new InetSocketAddress("10.77.205.1", 7001));
                ByteRing ring = new ByteRing(1 << 22);
                byte[] fill = new byte[1 << 20];
                for (int i = 0; i < fill.length; i++) {
                    fill[i] = (byte) (i * 131 + 7);
                }
                for (int k = 0; k < 4; k++) {
                    ring.offer(ByteBuffer.wrap(fill), fill.length);
                }
                MemorySegment scratch = MemorySegment.ofArray(new byte[la.mtu()]);
                int batch = XdpSocket.Config.DEFAULT.ringSize();
                for (int payload : payloads) {
                    if (TuxHeader.LENGTH + payload > la.mtu()) {
                        continue;
                    }
                    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
                    for (int round = 0; round < 300; round++) {
                        for (int way = only; way == only; way++) {
                            long t0 = System.nanoTime();
                            long pos = 0;
                            for (int i = 0; i < batch; i++) {
                                pos = (pos + payload) & ((1 << 21) - 1);
                                boolean ok = way == 0 ? viaScratch(la, ra, scratch, ring, pos, payload, i)
                                        : inPlace(la, ra, ring, pos, payload, i);
                                if (!ok) {
                                    throw new IllegalStateException("TX ring full at " + i);
                                }
                            }
                            long ns = System.nanoTime() - t0;
                            if (round >= 50) {
                                best[way] = Math.min(best[way], ns / (double) batch);
                            }
                            drain(la, lb);
                        }
                    }
                    System.out.printf(Locale.ROOT, "payload %d B: %s %.1f ns/packet%n", payload,
                            only == 0 ? "scratch then send" : "in place", best[only]);
                }
            }
        }
    }

    /** The engine before claim/commit: assemble in scratch, then the link copies it into a frame. */
    static boolean viaScratch(AfXdpLink link, int route, MemorySegment scratch, ByteRing ring, long pos, int len, int seq) {
        PacketCodec.writeHeader(scratch, 0, TuxHeader.TYPE_DATA, TuxHeader.FLAG_ORDER, len, 5, 0x1234L, seq, 7, 512);
        ring.copyOut(pos, scratch, TuxHeader.LENGTH, len);
        return link.send(route, scratch, 0, TuxHeader.LENGTH + len);
    }

    /** The engine now: assemble in the claimed frame. */
    static boolean inPlace(AfXdpLink link, int route, ByteRing ring, long pos, int len, int seq) {
        long at = link.claim(route, TuxHeader.LENGTH + len);
        if (at < 0) {
            return false;
        }
        MemorySegment p = link.claimed();
        PacketCodec.writeHeader(p, at, TuxHeader.TYPE_DATA, TuxHeader.FLAG_ORDER, len, 5, 0x1234L, seq, 7, 512);
        ring.copyOut(pos, p, at + TuxHeader.LENGTH, len);
        link.commit(TuxHeader.LENGTH + len);
        return true;
    }

    /** Kicks until every frame came back from the kernel, consuming what arrives at the peer (bounded). */
    static void drain(AfXdpLink la, AfXdpLink lb) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (la.socket().frames().count(io.tux.xdp.ring.UmemFrames.TX) > 0 && System.nanoTime() < deadline) {
            la.flush();
            lb.poll((r, s, o, l) -> { }, 64);
        }
        while (lb.poll((r, s, o, l) -> { }, 64) > 0) {
            // empty the receiver
        }
    }
}
