package io.tux.xdp.link;

import io.tux.core.packet.PacketCodec;
import io.tux.core.packet.TuxHeader;
import io.tux.xdp.support.FixedRoutes;
import io.tux.xdp.support.Net;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measurement main (not a test), as root: the most a one-way stream can get out of AF_XDP in copy mode on a veth
 * pair, with no engine at all. One thread fills the TX ring of one end with DATA-sized frames and kicks it, another
 * polls the other end's RX ring and counts what arrives; nothing is copied in Java beyond the header. Prints
 * delivered packets and MB per second and the process's CPU time per packet and per MB (both threads plus the
 * kernel work charged to them: the veth transmit, the generic XDP hook and the copy into the receiver's UMEM run
 * in the sender's system call). An upper bound for the engine's bulk stream and for the 1 KB GET responses.
 * {@code java --enable-native-access=ALL-UNNAMED -cp <test class path> io.tux.xdp.link.RawStreamCeilingMeasurement
 * [seconds] [mtu] [payload]}. Run it on an otherwise idle machine: the whole-machine figure counts everything.
 */
public final class RawStreamCeilingMeasurement {

    private RawStreamCeilingMeasurement() {}

    /** CPU time the whole machine spent not idle, from /proc/stat's first line (USER_HZ = 100 ticks/s here). */
    static long machineBusyNanos() throws java.io.IOException {
        String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
            if (i != 4 && i != 5) { // idle, iowait
                busy += Long.parseLong(f[i]);
            }
        }
        return busy * 10_000_000L;
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int mtu = args.length > 1 ? Integer.parseInt(args[1]) : 1500;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Net.Veth v = Net.Veth.rootPair()) {
            Net.run("ip", "link", "set", "dev", v.a(), "mtu", Integer.toString(mtu));
            Net.run("ip", "link", "set", "dev", v.b(), "mtu", Integer.toString(mtu));
            try (AfXdpLink la = FixedRoutes.linkOnA(v); AfXdpLink lb = FixedRoutes.linkOnB(v)) {
                int ra = la.openRoute(new InetSocketAddress("10.77.206.1", 7001), new InetSocketAddress("10.77.206.2", 7002));
                lb.openRoute(new InetSocketAddress("10.77.206.2", 7002), new InetSocketAddress("10.77.206.1", 7001));
                int payload = args.length > 2 ? Integer.parseInt(args[2]) : la.mtu() - TuxHeader.LENGTH;
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicLong packets = new AtomicLong();
                AtomicLong bytes = new AtomicLong();
                Thread receiver = Thread.ofPlatform().name("raw-rx").start(() -> {
                    long[] got = new long[2];
                    while (running.get()) {
                        lb.poll((r, s, o, l) -> {
                            got[0]++;
                            got[1] += l;
                        }, 64);
                        packets.lazySet(got[0]);
                        bytes.lazySet(got[1]);
                    }
                });
                Thread sender = Thread.ofPlatform().name("raw-tx").start(() -> {
                    int seq = 0;
                    while (running.get()) {
                        for (int i = 0; i < 64; i++) {
                            long at = la.claim(ra, TuxHeader.LENGTH + payload);
                            if (at < 0) {
                                break;
                            }
                            MemorySegment p = la.claimed();
                            PacketCodec.writeHeader(p, at, TuxHeader.TYPE_DATA, TuxHeader.FLAG_ORDER, payload, 5,
                                    0x1234L, seq++, 7, 512);
                            la.commit(TuxHeader.LENGTH + payload);
                        }
                        la.flush();
                    }
                });
                Thread.sleep(1000); // warm-up of the measurement itself, not synchronisation
                long p0 = packets.get();
                long b0 = bytes.get();
                long c0 = os.getProcessCpuTime();
                long m0 = machineBusyNanos();
                long t0 = System.nanoTime();
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                long p1 = packets.get();
                long b1 = bytes.get();
                long c1 = os.getProcessCpuTime();
                long m1 = machineBusyNanos();
                long t1 = System.nanoTime();
                running.set(false);
                sender.join(5000);
                receiver.join(5000);
                double wall = (t1 - t0) / 1e9;
                double cpu = (c1 - c0) / 1e9;
                long n = p1 - p0;
                double mb = (b1 - b0) / 1e6;
                System.out.printf(Locale.ROOT, "veth MTU %d, %d B frames: %.0f packets/s, %.0f MB/s delivered, "
                                + "CPU %.2f cores, %.2f us/packet, %.0f us/MB, %.0f MB/s per core%n",
                        mtu, TuxHeader.LENGTH + payload, n / wall, mb / wall, cpu / wall, cpu * 1e6 / n,
                        cpu * 1e6 / mb, mb / cpu);
                double machine = (m1 - m0) / 1e9;
                System.out.printf(Locale.ROOT, "  whole machine (/proc/stat, softirq included): %.2f cores busy, "
                        + "%.2f us/packet, %.0f MB/s per core%n", machine / wall, machine * 1e6 / n, mb / machine);
            }
        }
    }
}
