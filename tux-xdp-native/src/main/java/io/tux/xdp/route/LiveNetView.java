package io.tux.xdp.route;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@link NetView} of the current process's network namespace. {@code /proc/net/*} are per process
 * ({@code /proc/net} is {@code /proc/self/net}), and interface facts come from {@link NetworkInterface}
 * (ioctl/netlink on a socket of this namespace), so both stay right even where {@code /sys} was not remounted
 * for the namespace. Any thread.
 */
final class LiveNetView implements NetView {

    /** The discard port (RFC 863): a datagram to it only makes the kernel resolve the neighbour. */
    static final int DISCARD_PORT = 9;

    @Override
    public String ipv4Routes() throws IOException {
        return read("/proc/net/route");
    }

    @Override
    public String ipv6Routes() throws IOException {
        Path p = Path.of("/proc/net/ipv6_route");
        return Files.exists(p) ? read(p.toString()) : "";
    }

    @Override
    public String arp() throws IOException {
        return read("/proc/net/arp");
    }

    @Override
    public String ipv6Neighbour(InetAddress address, String iface) throws IOException {
        Process p = new ProcessBuilder(ipBinary(), "-6", "neigh", "show", "to", address.getHostAddress(), "dev", iface)
                .redirectErrorStream(true).start();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("'ip -6 neigh show' did not finish within 5 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted reading the IPv6 neighbour table", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("'ip -6 neigh show' failed: " + out.trim());
        }
        return out;
    }

    private static String ipBinary() throws IOException {
        for (String candidate : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IOException("no 'ip' binary (iproute2) to read the IPv6 neighbour table");
    }

    @Override
    public Set<InetAddress> localAddresses() throws IOException {
        Set<InetAddress> all = new HashSet<>();
        for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
            ni.inetAddresses().forEach(a -> all.add(withoutScope(a)));
        }
        return all;
    }

    private static InetAddress withoutScope(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public Interface iface(String name) throws IOException {
        NetworkInterface ni = NetworkInterface.getByName(name);
        if (ni == null) {
            return null;
        }
        byte[] mac = ni.getHardwareAddress();
        return new Interface(ni.getName(), ni.getIndex(), mac == null || mac.length != 6 ? new byte[6] : mac,
                ni.getMTU(), ni.isUp());
    }

    @Override
    public void solicit(InetAddress nextHop) throws IOException {
        // java.net.DatagramSocket uses the platform's own channel implementation, never a SelectorProvider
        // installed by the application (which may be Tux itself).
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.send(new DatagramPacket(new byte[1], 1, nextHop, DISCARD_PORT));
        }
    }

    private static String read(String file) throws IOException {
        return Files.readString(Path.of(file), StandardCharsets.US_ASCII);
    }
}
