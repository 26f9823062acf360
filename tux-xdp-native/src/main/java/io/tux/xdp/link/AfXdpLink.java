package io.tux.xdp.link;

import io.tux.core.link.Link;
import io.tux.core.link.PacketSink;
import io.tux.xdp.xsk.XdpSocket;
import io.tux.xdp.xsk.XdpUnavailableException;
import io.tux.xdp.xsk.XdpUnavailableException.Reason;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * A {@link Link} over one AF_XDP socket bound to one interface queue. {@link #poll} takes received frames off
 * the RX ring, strips Ethernet/IPv4/UDP and hands the Tux packet to the sink with the route of its addresses,
 * then recycles the frames to the fill ring; {@link #send} writes the route's headers and the packet into a
 * free UMEM frame and puts it on the TX ring; {@link #flush} kicks TX when the kernel asks for it and reaps
 * the completion ring. IPv4 only for now.
 *
 * <p>Threading: as {@link Link} says, poll/send/flush on the owning network thread; openRoute/closeRoute from
 * any thread (they publish a new immutable {@link RouteTable} through a volatile field); close after the
 * network thread stopped using the link.
 */
public final class AfXdpLink implements Link {

    /** Most descriptors taken off the RX ring per poll. */
    private static final int RX_BATCH = 64;
    /** XDP_PACKET_HEADROOM: where the kernel puts a received frame inside its chunk in copy mode. */
    private static final int RX_HEADROOM = 256;

    private final XdpSocket socket;
    private final MemorySegment umem;
    private final byte[] localMac;
    private final int mtu;
    private final NeighbourTable neighbours;
    /** Serialises route changes (any thread). */
    private final Object routeLock = new Object();
    /**
     * Written by openRoute/closeRoute under routeLock (any thread); read by the network thread in poll/send.
     * The table is immutable, so the volatile write/read publishes it whole.
     */
    private volatile RouteTable routes = RouteTable.EMPTY;
    /** Network thread only. */
    private final UdpFrames.Parsed parsed = new UdpFrames.Parsed();
    /** Network thread only: packets dropped because they did not parse or their route was closed. */
    private long malformed;
    private long sentToClosedRoute;
    /** Guarded by routeLock. */
    private boolean closed;

    private AfXdpLink(XdpSocket socket, byte[] localMac, int mtu, NeighbourTable neighbours) {
        this.socket = socket;
        this.umem = socket.umem();
        this.localMac = localMac;
        this.mtu = mtu;
        this.neighbours = neighbours;
    }

    /** A link on queue {@code queue} of {@code ifname}, peers resolved through the kernel's ARP table. */
    public static AfXdpLink open(String ifname, int queue) throws XdpUnavailableException {
        return open(ifname, queue, XdpSocket.Config.DEFAULT, NeighbourTable.kernel());
    }

    /** A link with explicit UMEM sizes and neighbour lookup. */
    public static AfXdpLink open(String ifname, int queue, XdpSocket.Config config, NeighbourTable neighbours)
            throws XdpUnavailableException {
        byte[] mac;
        int ifMtu;
        try {
            Path sys = Path.of("/sys/class/net", ifname);
            mac = HexFormat.ofDelimiter(":").parseHex(Files.readString(sys.resolve("address")).trim());
            ifMtu = Integer.parseInt(Files.readString(sys.resolve("mtu")).trim());
        } catch (IOException | RuntimeException e) {
            throw new XdpUnavailableException(Reason.NO_INTERFACE, "cannot read /sys/class/net/" + ifname + ": " + e);
        }
        if (mac.length != 6) {
            throw new XdpUnavailableException(Reason.NO_AF_XDP, ifname + " is not an Ethernet interface");
        }
        int mtu = Math.min(ifMtu - UdpFrames.IP - UdpFrames.UDP, config.frameSize() - RX_HEADROOM - UdpFrames.HEADERS);
        XdpSocket socket = XdpSocket.open(ifname, queue, config);
        return new AfXdpLink(socket, mac, mtu, neighbours);
    }

    /** The AF_XDP socket under this link (tests, diagnostics). */
    public XdpSocket socket() {
        return socket;
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
                if (!UdpFrames.parse(umem, socket.rxAddr(i), socket.rxLen(i), parsed)) {
                    malformed++;
                    continue;
                }
                int route = table.lookup(parsed.srcIp, parsed.srcPort, parsed.dstIp, parsed.dstPort);
                delivered++;
                sink.onPacket(route, umem, parsed.payloadOffset, parsed.payloadLength);
            }
        } finally {
            socket.rxRecycle(n);
        }
        return delivered;
    }

    @Override
    public boolean send(int route, MemorySegment packet, long offset, int length) {
        if (length < 0 || length > mtu) {
            throw new IllegalArgumentException("packet of " + length + " bytes, MTU " + mtu);
        }
        byte[] template = routes.template(route);
        if (template == null) {
            sentToClosedRoute++;
            return true;
        }
        long frame = socket.txFrame();
        if (frame < 0) {
            return false;
        }
        UdpFrames.writeHeaders(umem, frame, template, length);
        MemorySegment.copy(packet, offset, umem, frame + UdpFrames.HEADERS, length);
        socket.txSubmit(frame, UdpFrames.HEADERS + length);
        return true;
    }

    @Override
    public void flush() {
        socket.txKick();
        socket.reapCompletions();
    }

    @Override
    public int openRoute(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        if (!(local.getAddress() instanceof Inet4Address l) || !(remote.getAddress() instanceof Inet4Address r)) {
            throw new IOException("this link carries IPv4 only: " + local + " -> " + remote);
        }
        byte[] peerMac = neighbours.macOf(socket.ifname(), r);
        byte[] template = UdpFrames.template(peerMac, localMac, l.getAddress(), local.getPort(), r.getAddress(),
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
            byte[] template = t.template(route);
            if (template == null || closed) {
                return;
            }
            routes = t.with(route, null, 0, 0, 0, 0);
            socket.program().removeDestination(localIp(template), localPort(template));
        }
    }

    @Override
    public void close() {
        synchronized (routeLock) {
            if (closed) {
                return;
            }
            closed = true;
            RouteTable t = routes;
            for (byte[] template : t.templates) {
                if (template != null) {
                    socket.program().removeDestination(localIp(template), localPort(template));
                }
            }
            routes = RouteTable.EMPTY;
        }
        socket.close();
    }

    /** Frames that did not parse (network thread). */
    public long malformed() {
        return malformed;
    }

    /** Packets sent on a route that was closed meanwhile, dropped (network thread). */
    public long sentToClosedRoute() {
        return sentToClosedRoute;
    }

    private static int toInt(byte[] a) {
        return (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
    }

    private static byte[] localIp(byte[] template) {
        return java.util.Arrays.copyOfRange(template, UdpFrames.ETH + 12, UdpFrames.ETH + 16);
    }

    private static int localPort(byte[] template) {
        return (template[UdpFrames.ETH + UdpFrames.IP] & 0xff) << 8 | (template[UdpFrames.ETH + UdpFrames.IP + 1] & 0xff);
    }
}
