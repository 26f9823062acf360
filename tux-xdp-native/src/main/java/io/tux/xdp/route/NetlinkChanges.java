package io.tux.xdp.route;

import io.tux.xdp.ffi.LibC;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@link NetChanges} from the kernel: an rtnetlink socket of this network namespace subscribed to the multicast
 * groups of links, IPv4/IPv6 addresses and routes, and neighbours. Every change of those tables (an interface
 * going down, a route added or removed, an ARP entry learnt, changed or expired, an address added) queues a
 * message on the socket; {@link #changed()} drains the queue without blocking and answers true if it held
 * anything. A queue that overflowed (ENOBUFS) or any other error also answers true, so a lost message can never
 * leave a stale route in the cache.
 *
 * <p>The socket belongs to the network namespace of the thread that opens the watch: open it in the namespace
 * whose routes are cached (the process's own, as {@link RouteResolver} reads {@code /proc/net}).
 *
 * <p>Threading: {@link #changed()} and {@link #close()} are serialised by the watch's own lock.
 */
@SuppressWarnings("restricted")
public final class NetlinkChanges implements NetChanges {

    static final int AF_NETLINK = 16;
    static final int NETLINK_ROUTE = 0;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int RTMGRP_LINK = 0x1;
    static final int RTMGRP_NEIGH = 0x4;
    static final int RTMGRP_IPV4_IFADDR = 0x10;
    static final int RTMGRP_IPV4_ROUTE = 0x40;
    static final int RTMGRP_IPV6_IFADDR = 0x100;
    static final int RTMGRP_IPV6_ROUTE = 0x400;
    /** Every group whose messages can change a route's outcome. */
    static final int GROUPS = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE
            | RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE;

    private final Arena arena = Arena.ofShared();
    /** Where messages are drained into (their contents are not read); guarded by {@code this}. */
    private final MemorySegment buffer = arena.allocate(8192, 8);
    /** The netlink socket; -1 once closed. Guarded by {@code this}. */
    private int fd;

    private NetlinkChanges(int fd) {
        this.fd = fd;
    }

    /**
     * Opens a watch on the calling thread's network namespace.
     *
     * @throws IOException if the netlink socket cannot be made or bound (the caller then does without a cache)
     */
    public static NetlinkChanges open() throws IOException {
        int fd = LibC.socket(AF_NETLINK, LibC.SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0) {
            throw new IOException("netlink socket: errno " + LibC.errno());
        }
        try (Arena a = Arena.ofConfined()) {
            // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }
            MemorySegment addr = a.allocate(12, 4);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
            addr.set(ValueLayout.JAVA_INT, 4, 0);
            addr.set(ValueLayout.JAVA_INT, 8, GROUPS);
            if (LibC.bind(fd, addr, 12) < 0) {
                int errno = LibC.errno();
                LibC.close(fd);
                throw new IOException("netlink bind to the rtnetlink groups: errno " + errno);
            }
        }
        return new NetlinkChanges(fd);
    }

    @Override
    public synchronized boolean changed() {
        if (fd < 0) {
            return true;
        }
        boolean changed = false;
        for (int i = 0; i < 1024; i++) { // bounded: a table being rewritten faster than we drain is "changed"
            long n = LibC.recvfrom(fd, buffer, buffer.byteSize(), LibC.MSG_DONTWAIT, MemorySegment.NULL,
                    MemorySegment.NULL);
            if (n > 0) {
                changed = true;
                continue;
            }
            if (n < 0) {
                int errno = LibC.errno();
                if (errno == LibC.EAGAIN) {
                    return changed;
                }
                if (errno == LibC.EINTR) {
                    continue;
                }
            }
            return true; // ENOBUFS (messages were lost), end of file, or another error
        }
        return true;
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            LibC.close(fd);
            fd = -1;
            arena.close();
        }
    }
}
