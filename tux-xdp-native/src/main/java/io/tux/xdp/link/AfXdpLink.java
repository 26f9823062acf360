package io.tux.xdp.link;

import io.tux.core.engine.SpinPause;
import io.tux.core.link.Link;
import io.tux.core.link.PacketSink;
import io.tux.xdp.ffi.LibC;
import io.tux.xdp.frame.FrameParser;
import io.tux.xdp.frame.FrameTemplate;
import io.tux.xdp.frame.ParsedFrame;
import io.tux.xdp.route.RouteInfo;
import io.tux.xdp.route.RouteResolver;
import io.tux.xdp.xsk.XdpProgram;
import io.tux.xdp.xsk.XdpSocket;
import io.tux.xdp.xsk.XdpUnavailableException;
import io.tux.xdp.xsk.XdpUnavailableException.Reason;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Link} over one AF_XDP socket bound to one interface queue. {@link #poll} takes received frames off
 * the RX ring, validates them with a {@link FrameParser} (IPv4 and UDP checksums included) and hands the Tux
 * packet to the sink with the route of its addresses, then recycles the frames to the fill ring;
 * {@link #claim} hands out a free UMEM frame, behind the room for the route's {@link FrameTemplate} headers, for
 * the engine to write the Tux packet into, and {@link #commit} writes the headers (UDP checksum filled in) and
 * puts the frame on the TX ring ({@link #send} is a claim, a copy and a commit); {@link #flush} kicks TX when the kernel asks for it and reaps the completion
 * ring. {@link #await} sleeps in ppoll(2) on the socket and an eventfd, which {@link #wakeup} writes. IPv4 only
 * for now.
 *
 * <p>Routes: {@link #openRoute(InetSocketAddress, InetSocketAddress)} asks the link's {@link RouteSource}
 * (a {@link RouteResolver} by default) where packets to the remote go, checks that they leave through this
 * link's interface, builds the frame template and registers the local (address, port) with the XDP program so
 * that the peer's Tux packets are steered to this socket; {@link #closeRoute} unregisters it.
 *
 * <p>Threading: as {@link Link} says, poll/send/flush/await on the owning network thread; openRoute/closeRoute
 * from any thread (they publish a new immutable {@link RouteTable} through a volatile field); wakeup from any
 * thread; close after the network thread stopped using the link.
 */
@SuppressWarnings("restricted")
public final class AfXdpLink implements Link {

    /** Where the packets of an address pair leave this host; a {@link RouteResolver} in production. */
    @FunctionalInterface
    public interface RouteSource {
        /** The route for UDP from {@code local} to {@code remote}. */
        RouteInfo resolve(InetSocketAddress local, InetSocketAddress remote) throws IOException;
    }

    /**
     * How to open a link.
     *
     * @param socket UMEM and ring sizes
     * @param forcedMode attach the XDP program in this mode only (null: native, else generic)
     * @param verifyUdpChecksum whether received frames must carry a correct UDP checksum (PROTOCOL.md: yes; off
     *     only for tests that inject kernel-built frames, which veth carries with an unfinished checksum)
     * @param routes where routes come from (null: a {@link RouteResolver} with its default neighbour wait)
     */
    public record Options(XdpSocket.Config socket, XdpProgram.Mode forcedMode, boolean verifyUdpChecksum,
                          RouteSource routes) {
        public static final Options DEFAULT = new Options(XdpSocket.Config.DEFAULT, null, true, null);

        public Options {
            Objects.requireNonNull(socket, "socket");
        }

        public Options withRoutes(RouteSource r) {
            return new Options(socket, forcedMode, verifyUdpChecksum, r);
        }

        public Options withForcedMode(XdpProgram.Mode m) {
            return new Options(socket, m, verifyUdpChecksum, routes);
        }

        public Options withVerifyUdpChecksum(boolean v) {
            return new Options(socket, forcedMode, v, routes);
        }
    }

    /** XDP_PACKET_HEADROOM: where the kernel puts a received frame inside its chunk in copy mode. */
    private static final int RX_HEADROOM = 256;
    /** Bytes of Ethernet + IPv4 + UDP header in front of each Tux packet. */
    private static final int HEADERS = FrameTemplate.ETHERNET_HEADER + FrameTemplate.IPV4_HEADER
            + FrameTemplate.UDP_HEADER;
    /** Most descriptors taken off the RX ring per poll. */
    private static final int RX_BATCH = 64;

    private final XdpSocket socket;
    private final MemorySegment umem;
    private final int mtu;
    private final RouteSource routeSource;
    /** Serialises route changes and close (any thread). */
    private final Object routeLock = new Object();
    /**
     * Written by openRoute/closeRoute/close under routeLock (any thread); read by the network thread in
     * poll/send. The table is immutable, so the volatile write/read publishes it whole.
     */
    private volatile RouteTable routes = RouteTable.EMPTY;
    /** Network thread only. */
    private final FrameParser parser;
    private final ParsedFrame parsed = new ParsedFrame();
    /** Network thread only: frames that parsed but are not IPv4, and packets sent on closed routes. */
    private long notIpv4;
    private long sentToClosedRoute;
    /**
     * The outstanding claim (network thread only): its route's template (null: the route was closed, the packet
     * goes to {@link #deadLetter} and is dropped), its UMEM frame and the segment handed out.
     */
    private FrameTemplate claimTemplate;
    private long claimFrame;
    private MemorySegment claimSegment;
    /** Where a packet to a closed route is written, to be dropped; network thread only. */
    private final MemorySegment deadLetter;

    // ---- sleeping and waking ----
    /** The eventfd that {@link #wakeup} writes; created in the constructor, closed by close. */
    private final int eventFd;
    /** Native memory for the wait: closed only by the GC (Arena.ofAuto), so a late wakeup never faults. */
    private final Arena arena = Arena.ofAuto();
    /** Two struct pollfd {int fd; short events; short revents;}: the socket and the eventfd. Network thread. */
    private final MemorySegment pollFds;
    /** The eventfd's pollfd alone (the second half of pollFds): a wait that packets do not end. */
    private final MemorySegment eventFdOnly;
    /** struct timespec for ppoll; network thread only. */
    private final MemorySegment timeout;
    /** Where the network thread reads the eventfd's count into. */
    private final MemorySegment drained;
    /** The 8-byte value 1 that wakeup writes; never modified after construction, so any thread may pass it. */
    private final MemorySegment one;
    /** Network-thread counters: sleeps in await, and how many ended early (packet or wakeup). */
    private long awaits;
    private long awaitsWoken;
    /**
     * Written by close under routeLock (volatile); read by wakeup (any thread), which then does not touch the
     * eventfd any more. close runs only after the network thread stopped, so only wakeups race with it.
     */
    private volatile boolean closed;
    /**
     * Threads inside {@link #wakeup} now: each adds itself (atomic, a full fence) before it reads {@link #closed}
     * and removes itself after its write. close sets closed, then waits for 0 before it closes the eventfd (Dekker:
     * a waker that read false was counted before close looked), so no write ever reaches a closed descriptor, or
     * one the process reused for something else since.
     */
    private final AtomicInteger wakers = new AtomicInteger();

    private AfXdpLink(XdpSocket socket, int mtu, RouteSource routeSource, boolean verifyUdpChecksum, int eventFd) {
        this.socket = socket;
        this.umem = socket.umem();
        this.mtu = mtu;
        this.routeSource = routeSource;
        this.parser = new FrameParser(verifyUdpChecksum);
        this.deadLetter = MemorySegment.ofArray(new byte[mtu]);
        this.claimSegment = deadLetter;
        this.eventFd = eventFd;
        this.pollFds = arena.allocate(16, 8);
        pollFds.set(ValueLayout.JAVA_INT, 0, socket.fd());
        pollFds.set(ValueLayout.JAVA_SHORT, 4, LibC.POLLIN);
        pollFds.set(ValueLayout.JAVA_INT, 8, eventFd);
        pollFds.set(ValueLayout.JAVA_SHORT, 12, LibC.POLLIN);
        this.eventFdOnly = pollFds.asSlice(8, 8);
        this.timeout = arena.allocate(16, 8);
        this.drained = arena.allocate(8, 8);
        this.one = arena.allocate(8, 8);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    /** A link on queue {@code queue} of {@code ifname}, routes from a {@link RouteResolver}. */
    public static AfXdpLink open(String ifname, int queue) throws XdpUnavailableException {
        return open(ifname, queue, Options.DEFAULT);
    }

    /** A link on queue {@code queue} of {@code ifname} with explicit options. */
    public static AfXdpLink open(String ifname, int queue, Options options) throws XdpUnavailableException {
        int ifMtu;
        try {
            Path sys = Path.of("/sys/class/net", ifname);
            byte[] mac = HexFormat.ofDelimiter(":").parseHex(Files.readString(sys.resolve("address")).trim());
            if (mac.length != 6) {
                throw new XdpUnavailableException(Reason.NO_AF_XDP, ifname + " is not an Ethernet interface");
            }
            ifMtu = Integer.parseInt(Files.readString(sys.resolve("mtu")).trim());
        } catch (IOException | RuntimeException e) {
            throw new XdpUnavailableException(Reason.NO_INTERFACE, "cannot read /sys/class/net/" + ifname + ": " + e);
        }
        int mtu = Math.min(ifMtu - FrameTemplate.IPV4_HEADER - FrameTemplate.UDP_HEADER,
                options.socket().frameSize() - RX_HEADROOM - HEADERS);
        RouteSource source = options.routes();
        if (source == null) {
            RouteResolver resolver = new RouteResolver();
            source = resolver::resolve;
        }
        XdpSocket socket = XdpSocket.open(ifname, queue, options.socket(), options.forcedMode());
        int efd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (efd < 0) {
            int errno = LibC.errno();
            socket.close();
            throw new XdpUnavailableException(Reason.OTHER, "eventfd failed, errno " + errno);
        }
        return new AfXdpLink(socket, mtu, source, options.verifyUdpChecksum(), efd);
    }

    /** The AF_XDP socket under this link (tests, diagnostics). */
    public XdpSocket socket() {
        return socket;
    }

    /** The frame parser, with its per-reason drop counters (any thread may read them). */
    public FrameParser parser() {
        return parser;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public int poll(PacketSink sink, int limit) {
        int n = socket.rxTake(Math.min(limit, RX_BATCH));
        if (n == 0) {
            return 0;
        }
        RouteTable table = routes;
        int delivered = 0;
        try {
            for (int i = 0; i < n; i++) {
                if (!parser.parse(umem, socket.rxAddr(i), socket.rxLen(i), parsed)) {
                    continue; // counted by the parser under its reason
                }
                if (parsed.ipVersion() != 4) {
                    notIpv4++;
                    continue;
                }
                int route = table.lookup(parsed.srcIp(), parsed.srcPort(), parsed.dstIp(), parsed.dstPort());
                delivered++;
                sink.onPacket(route, umem, parsed.payloadOffset(), parsed.payloadLength());
            }
        } finally {
            socket.rxRecycle(n);
        }
        return delivered;
    }

    /**
     * Takes a free UMEM frame off the free list and returns the offset, inside the UMEM, right behind the room
     * its Ethernet/IPv4/UDP headers will take: the engine writes the Tux packet into the frame that goes out.
     * A closed route gets the dead-letter buffer instead, and its packet is dropped (and counted) at commit.
     */
    @Override
    public long claim(int route, int maxLength) {
        if (maxLength < 0 || maxLength > mtu) {
            throw new IllegalArgumentException("packet of " + maxLength + " bytes, MTU " + mtu);
        }
        FrameTemplate template = routes.template(route);
        if (template == null) {
            claimTemplate = null;
            claimSegment = deadLetter;
            return 0;
        }
        long frame = socket.txFrame();
        if (frame < 0) {
            return -1;
        }
        claimTemplate = template;
        claimFrame = frame;
        claimSegment = umem;
        return frame + HEADERS;
    }

    @Override
    public MemorySegment claimed() {
        return claimSegment;
    }

    /** Writes the headers and the UDP checksum over the payload now in the frame, and puts it on the TX ring. */
    @Override
    public void commit(int length) {
        FrameTemplate template = claimTemplate;
        if (template == null) {
            sentToClosedRoute++;
            return;
        }
        template.write(umem, claimFrame, length);
        socket.txSubmit(claimFrame, HEADERS + length);
    }

    @Override
    public void flush() {
        socket.txKick();
        socket.reapCompletions();
    }

    /**
     * Sleeps in ppoll(2) until the socket has a received frame, {@link #wakeup} was called, or {@code nanos}
     * passed. A wakeup that came while the thread was not sleeping makes the next await return at once (the
     * eventfd keeps its count), so none is lost. Allocates nothing.
     */
    @Override
    public void await(long nanos) {
        await(nanos, true);
    }

    /** As {@link #await(long)}; with {@code wakeOnPacket} false it waits on the eventfd alone. */
    @Override
    public void await(long nanos, boolean wakeOnPacket) {
        if (nanos <= 0) {
            return;
        }
        timeout.set(ValueLayout.JAVA_LONG, 0, nanos / 1_000_000_000L);
        timeout.set(ValueLayout.JAVA_LONG, 8, nanos % 1_000_000_000L);
        awaits++;
        int rc = wakeOnPacket ? LibC.ppoll(pollFds, 2, timeout) : LibC.ppoll(eventFdOnly, 1, timeout);
        if (rc > 0) {
            awaitsWoken++;
            if ((pollFds.get(ValueLayout.JAVA_SHORT, 14) & LibC.POLLIN) != 0) {
                LibC.read(eventFd, drained, 8); // resets the count; EAGAIN if another read got it, harmless
            }
        }
    }

    /** Ends an {@link #await} early by writing the eventfd. Any thread; a no-op once the link is closed. */
    @Override
    public void wakeup(Thread networkThread) {
        wakers.getAndIncrement();
        try {
            if (!closed) {
                LibC.write(eventFd, one, 8);
            }
        } finally {
            wakers.getAndDecrement();
        }
    }

    /** Times the network thread slept in {@link #await}, and how many of those ended before the timeout. */
    public long awaits() {
        return awaits;
    }

    public long awaitsWoken() {
        return awaitsWoken;
    }

    /** Resolves the route of {@code remote} with the link's route source, then opens it. */
    @Override
    public int openRoute(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        RouteInfo info;
        try {
            info = routeSource.resolve(local, remote);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        return openRoute(local, remote, info);
    }

    /**
     * Opens a route from {@code local} to {@code remote} over {@code info} (which must name this link's
     * interface): builds its frame template and registers {@code local} with the XDP program.
     *
     * @throws IOException if an address is not IPv4, the route leaves through another interface, the link is
     *     closed, or the program's map refuses the destination
     */
    public int openRoute(InetSocketAddress local, InetSocketAddress remote, RouteInfo info) throws IOException {
        if (!(local.getAddress() instanceof Inet4Address l) || !(remote.getAddress() instanceof Inet4Address r)) {
            throw new IOException("this link carries IPv4 only: " + local + " -> " + remote);
        }
        if (!info.interfaceName().equals(socket.ifname())) {
            throw new IOException("the route to " + remote + " leaves through " + info.interfaceName() + ", not "
                    + socket.ifname());
        }
        FrameTemplate template = FrameTemplate.ipv4(info.sourceMac(), info.nextHopMac(), l, local.getPort(), r,
                remote.getPort());
        synchronized (routeLock) {
            if (closed) {
                throw new IOException("link closed");
            }
            socket.program().addDestination(l.getAddress(), local.getPort());
            RouteTable t = routes;
            int route = t.freeRoute();
            routes = t.with(route, template, toInt(r.getAddress()), remote.getPort(), toInt(l.getAddress()),
                    local.getPort());
            return route;
        }
    }

    @Override
    public void closeRoute(int route) {
        synchronized (routeLock) {
            RouteTable t = routes;
            FrameTemplate template = t.template(route);
            if (template == null || closed) {
                return;
            }
            routes = t.with(route, null, 0, 0, 0, 0);
            socket.program().removeDestination(template.srcAddress().getAddress(), template.srcPort());
        }
    }

    /** Routes open now (any thread). */
    public int routeCount() {
        int n = 0;
        for (FrameTemplate t : routes.templates) {
            n += t != null ? 1 : 0;
        }
        return n;
    }

    @Override
    public void close() {
        synchronized (routeLock) {
            if (closed) {
                return;
            }
            closed = true;
            for (FrameTemplate template : routes.templates) {
                if (template != null) {
                    socket.program().removeDestination(template.srcAddress().getAddress(), template.srcPort());
                }
            }
            routes = RouteTable.EMPTY;
        }
        for (int turn = 1; wakers.get() != 0; turn++) {
            SpinPause.pause(turn); // a wakeup is one non-blocking write(2): microseconds
        }
        LibC.close(eventFd);
        socket.close();
    }

    /** Frames that did not parse, for any reason (network thread; per reason see {@link #parser()}). */
    public long malformed() {
        return parser.totalDrops() + notIpv4;
    }

    /** Packets sent on a route that was closed meanwhile, dropped (network thread). */
    public long sentToClosedRoute() {
        return sentToClosedRoute;
    }

    private static int toInt(byte[] a) {
        return (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
    }
}
