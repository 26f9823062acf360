package io.tux.xdp.stack;

import io.tux.core.testing.Pattern;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM program for {@link BulkVethMeasurement}: the same one-way stream as {@link StackPeer}'s send/recv
 * roles, over kernel TCP with the JDK's own provider, so that Tux and TCP are measured by the same harness on
 * the same link. {@code TcpBulkPeer recv LOCAL_IP PORT BYTES} listens, prints {@code ESTABLISHED TCP} once
 * accepted, reads and checks every byte until end of stream and prints
 * {@code RESULT bytes=.. mismatch=.. eof=.. mbps=..} and {@code DONE}; {@code TcpBulkPeer send REMOTE_IP PORT
 * BYTES} connects (retrying for 30 s), prints {@code ESTABLISHED TCP}, waits for {@code go}, writes BYTES in
 * 64 KiB writes from a direct buffer, closes, prints {@code SENT <bytes> <MB/s>} and {@code DONE}.
 */
public final class TcpBulkPeer {

    private TcpBulkPeer() {}

    public static void main(String[] args) throws Exception {
        String role = args[0];
        InetSocketAddress address = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        long total = Long.parseLong(args[3]);
        Pattern pattern = new Pattern(0x7E57L);
        try {
            if (role.equals("recv")) {
                receive(address, total, pattern);
            } else {
                send(address, total, pattern);
            }
        } catch (Exception | Error e) {
            System.out.println("CRASH " + e);
            System.out.flush();
            System.exit(4);
        }
        System.out.flush();
        System.exit(0);
    }

    /** {@code CPU process_ms=<this JVM's CPU time since established> network_ms=0} (no network thread: the kernel does that work). */
    private static String cpu() {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        return String.format(Locale.ROOT, "CPU process_ms=%d network_ms=0",
                (os.getProcessCpuTime() - cpuAtStart) / 1_000_000);
    }

    /** Process CPU time when the connection was established (main thread only). */
    private static long cpuAtStart;

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void receive(InetSocketAddress address, long total, Pattern pattern) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(address);
            System.out.println("LISTENING");
            System.out.flush();
            try (SocketChannel c = server.accept()) {
                cpuAtStart = processCpu();
            System.out.println("ESTABLISHED TCP");
                System.out.flush();
                byte[] buffer = new byte[256 * 1024];
                ByteBuffer in = ByteBuffer.wrap(buffer);
                long read = 0;
                long mismatch = -1;
                long first = 0;
                while (true) {
                    in.clear();
                    int n = c.read(in);
                    if (n < 0) {
                        break;
                    }
                    if (read == 0) {
                        first = System.nanoTime();
                    }
                    if (mismatch < 0) {
                        mismatch = pattern.mismatch(buffer, 0, n, read);
                    }
                    read += n;
                }
                double mbps = read / 1e6 / Math.max(1, System.nanoTime() - first) * 1e9;
                System.out.printf(Locale.ROOT, "RESULT bytes=%d mismatch=%d eof=true mbps=%.1f%n", read, mismatch, mbps);
                System.out.println(cpu());
                System.out.println("DONE");
            }
        }
    }

    private static void send(InetSocketAddress address, long total, Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        SocketChannel c = null;
        while (c == null) {
            try {
                c = SocketChannel.open(address);
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50); // the receiver's JVM is still starting: a bounded retry, not synchronisation
            }
        }
        try (SocketChannel ch = c) {
            cpuAtStart = processCpu();
            System.out.println("ESTABLISHED TCP");
            System.out.flush();
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = stdin.readLine()) != null && !line.trim().equals("go"); ) {
                // wait for go
            }
            ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
            long written = 0;
            long t0 = System.nanoTime();
            while (written < total) {
                chunk.clear();
                pattern.fill(chunk, written, (int) Math.min(chunk.capacity(), total - written));
                chunk.flip();
                while (chunk.hasRemaining()) {
                    written += ch.write(chunk);
                }
            }
            ch.shutdownOutput();
            ch.read(ByteBuffer.allocate(1)); // the receiver closes after the last byte: everything arrived
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "SENT %d %.1f%n", written, written / 1e6 / secs);
            System.out.println(cpu());
            System.out.println("DONE");
        }
    }
}
