package io.tux.xdp.link;

import java.util.Arrays;

/**
 * An immutable snapshot of a link's routes: for each route number its 42-byte header template (null when
 * closed) and, for receiving, an open-addressing index from (remote ip, remote port, local ip, local port)
 * to the route number. A new snapshot is built for every change (copy on write), so the network thread reads
 * one without locks or allocation.
 *
 * <p>Threading: immutable after construction; safely published through a volatile field.
 */
final class RouteTable {

    static final RouteTable EMPTY = new RouteTable(new byte[0][], new long[0], new int[0], new int[0]);

    /** Per route: header template, or null. */
    final byte[][] templates;
    /** Per route: (remote ip << 32 | local ip) and (remote port << 16 | local port); valid when template != null. */
    final long[] ips;
    final int[] ports;
    /** Open-addressing slots holding route + 1 (0 = empty); length a power of two. */
    private final int[] slots;
    private final int mask;

    private RouteTable(byte[][] templates, long[] ips, int[] ports, int[] slots) {
        this.templates = templates;
        this.ips = ips;
        this.ports = ports;
        this.slots = slots;
        this.mask = slots.length - 1;
    }

    /** The route of a packet from remote to local, or -1. */
    int lookup(int remoteIp, int remotePort, int localIp, int localPort) {
        if (slots.length == 0) {
            return -1;
        }
        long ip = ((long) remoteIp << 32) | (localIp & 0xffffffffL);
        int port = (remotePort << 16) | localPort;
        for (int i = hash(ip, port) & mask; ; i = (i + 1) & mask) {
            int s = slots[i];
            if (s == 0) {
                return -1;
            }
            int r = s - 1;
            if (ips[r] == ip && ports[r] == port) {
                return r;
            }
        }
    }

    byte[] template(int route) {
        return route >= 0 && route < templates.length ? templates[route] : null;
    }

    /** The smallest free route number. */
    int freeRoute() {
        for (int r = 0; r < templates.length; r++) {
            if (templates[r] == null) {
                return r;
            }
        }
        return templates.length;
    }

    /** A copy with {@code route} set (template non-null) or removed (template null). */
    RouteTable with(int route, byte[] template, int remoteIp, int remotePort, int localIp, int localPort) {
        int n = Math.max(templates.length, route + 1);
        byte[][] t = Arrays.copyOf(templates, n);
        long[] ip = Arrays.copyOf(ips, n);
        int[] port = Arrays.copyOf(ports, n);
        t[route] = template;
        ip[route] = ((long) remoteIp << 32) | (localIp & 0xffffffffL);
        port[route] = (remotePort << 16) | localPort;
        int live = 0;
        for (byte[] x : t) {
            live += x != null ? 1 : 0;
        }
        int[] slots = new int[live == 0 ? 0 : Integer.highestOneBit(live * 2) << 1];
        for (int r = 0; r < n; r++) {
            if (t[r] != null) {
                int i = hash(ip[r], port[r]) & (slots.length - 1);
                while (slots[i] != 0) {
                    i = (i + 1) & (slots.length - 1);
                }
                slots[i] = r + 1;
            }
        }
        return new RouteTable(t, ip, port, slots);
    }

    private static int hash(long ip, int port) {
        long h = (ip ^ ((long) port * 0x9E3779B97F4A7C15L)) * 0xC2B2AE3D27D4EB4FL;
        return (int) (h ^ (h >>> 29));
    }
}
