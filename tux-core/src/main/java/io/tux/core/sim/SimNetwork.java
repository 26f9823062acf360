package io.tux.core.sim;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * A deterministic simulated network for tests: links attached to it exchange Tux packets with seeded loss,
 * duplication, reordering, corruption, delay and an MTU, on a {@link VirtualClock}. Given the same seed and
 * the same calls, it does exactly the same thing.
 *
 * <p>Single-threaded: the links, the network and the engines over them are driven from one thread.
 */
public final class SimNetwork {
    /** Decides, per packet, whether the network drops it regardless of the impairments (scripted loss). */
    @FunctionalInterface
    public interface Filter {
        boolean drop(SimulatedLink from, int route, MemorySegment packet, long offset, int length);
    }

    final VirtualClock clock;
    private final SplittableRandom random;
    private final Map<InetAddress, SimulatedLink> links = new HashMap<>();
    private final ArrayDeque<InFlight> pool = new ArrayDeque<>();
    private final CRC32C crc = new CRC32C();
    private Impairments impairments;
    private Filter filter;
    private long order;

    long sent;
    long lost;
    long filtered;
    long duplicated;
    long reordered;
    long corruptedAndDropped;
    long oversize;
    long unroutable;
    long delivered;

    public SimNetwork(long seed, Impairments impairments, VirtualClock clock) {
        this.random = new SplittableRandom(seed);
        this.impairments = impairments;
        this.clock = clock;
    }

    public VirtualClock clock() { return clock; }

    public Impairments impairments() { return impairments; }

    /** Changes what happens to packets sent from now on. */
    public void impairments(Impairments i) { this.impairments = i; }

    /** Installs a scripted filter (null for none). */
    public void filter(Filter f) { this.filter = f; }

    /** Attaches a link that owns {@code address}: packets to that address are delivered to it. */
    public SimulatedLink attach(InetAddress address) {
        SimulatedLink l = new SimulatedLink(this, address);
        if (links.putIfAbsent(address, l) != null) throw new IllegalArgumentException("address in use: " + address);
        return l;
    }

    /** When the next packet arrives anywhere; Long.MAX_VALUE if none is in flight. */
    public long nextDelivery() {
        long t = Long.MAX_VALUE;
        for (SimulatedLink l : links.values()) {
            InFlight f = l.inbox.peek();
            if (f != null) t = Math.min(t, f.deliverAt);
        }
        return t;
    }

    public long packetsInFlight() {
        long n = 0;
        for (SimulatedLink l : links.values()) n += l.inbox.size();
        return n;
    }

    void send(SimulatedLink from, int route, SimulatedLink.RouteEntry r, MemorySegment s, long off, int len) {
        sent++;
        if (len > impairments.mtu()) {
            oversize++;
            return;
        }
        if (filter != null && filter.drop(from, route, s, off, len)) {
            filtered++;
            return;
        }
        SimulatedLink to = links.get(r.remote.getAddress());
        if (to == null) {
            unroutable++;
            return;
        }
        if (impairments.loss() > 0 && random.nextDouble() < impairments.loss()) {
            lost++;
            return;
        }
        int copies = impairments.duplicate() > 0 && random.nextDouble() < impairments.duplicate() ? 2 : 1;
        if (copies == 2) duplicated++;
        for (int k = 0; k < copies; k++) {
            InFlight f = take(len);
            MemorySegment.copy(s, off, MemorySegment.ofArray(f.data), 0, len);
            f.length = len;
            f.to = to;
            f.key = r.arrivalKey;
            crc.reset();
            crc.update(f.data, 0, len);
            f.checksum = crc.getValue();
            long delay = impairments.delayNanos() + k;
            if (impairments.reorder() > 0 && random.nextDouble() < impairments.reorder()) {
                reordered++;
                delay += 1 + random.nextLong(Math.max(1, impairments.reorderDelayNanos()));
            }
            if (impairments.corrupt() > 0 && random.nextDouble() < impairments.corrupt()) {
                f.data[random.nextInt(len)] ^= (byte) (1 + random.nextInt(255));
            }
            f.deliverAt = clock.nanoTime() + delay;
            f.order = order++;
            to.inbox.add(f);
        }
    }

    /** Hands packets due by now to {@code link}'s sink (up to limit); returns how many were handed over. */
    int deliver(SimulatedLink link, io.tux.core.link.PacketSink sink, int limit) {
        int n = 0;
        long now = clock.nanoTime();
        PriorityQueue<InFlight> q = link.inbox;
        while (n < limit) {
            InFlight f = q.peek();
            if (f == null || f.deliverAt > now) break;
            q.poll();
            crc.reset();
            crc.update(f.data, 0, f.length);
            if (crc.getValue() != f.checksum) {
                corruptedAndDropped++; // the UDP checksum catches it, as a NIC or the kernel would
            } else {
                delivered++;
                sink.onPacket(link.routeOf(f.key), MemorySegment.ofArray(f.data), 0, f.length);
                n++;
            }
            pool.add(f);
        }
        return n;
    }

    private InFlight take(int len) {
        InFlight f = pool.poll();
        if (f == null || f.data.length < len) f = new InFlight(Math.max(len, 2048));
        return f;
    }

    @Override
    public String toString() {
        return "SimNetwork{sent=" + sent + ", delivered=" + delivered + ", lost=" + lost + ", filtered=" + filtered
                + ", duplicated=" + duplicated + ", reordered=" + reordered + ", corruptedAndDropped="
                + corruptedAndDropped + ", oversize=" + oversize + ", unroutable=" + unroutable + "}";
    }

    public long delivered() { return delivered; }

    public long corruptedAndDropped() { return corruptedAndDropped; }

    public long lost() { return lost; }

    public long duplicated() { return duplicated; }

    public long reordered() { return reordered; }

    static final class InFlight implements Comparable<InFlight> {
        final byte[] data;
        int length;
        long deliverAt;
        long order;
        long checksum;
        SimulatedLink to;
        Object key;

        InFlight(int size) { data = new byte[size]; }

        @Override
        public int compareTo(InFlight o) {
            int c = Long.compare(deliverAt, o.deliverAt);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }
}
