package io.tux.spi.launcher;

import io.tux.spi.Tux;
import io.tux.spi.TuxSelectorProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The program {@link LauncherTest} runs through bin/tux-java, from an app jar made at test time: reports the
 * provider, whether Tux's module got native access, a loopback echo over java.nio, system properties and its
 * arguments, one per line on standard output; exits with {@code -Dapp.exit}. With {@code -Dapp.wait=true} it
 * prints "ready" and waits (at most 60 s) to be signalled, printing "hook" from a shutdown hook.
 */
public final class LauncherApp {

    static final int ECHO_BYTES = 65_536;

    public static void main(String[] args) throws Exception {
        StringBuilder out = new StringBuilder();
        out.append("provider=").append(SelectorProvider.provider().getClass().getName()).append('\n');
        out.append("nativeAccess=").append(TuxSelectorProvider.class.getModule().isNativeAccessEnabled()).append('\n');
        out.append("echo=").append(echo()).append('\n');
        out.append("reason=").append(Tux.unavailabilityReason()).append('\n');
        out.append("helper=").append(LauncherAppHelper.greeting()).append('\n');
        out.append("foo=").append(System.getProperty("foo")).append('\n');
        out.append("heapAtMost64MiB=").append(Runtime.getRuntime().maxMemory() <= 64L << 20).append('\n');
        out.append("pid=").append(ProcessHandle.current().pid()).append('\n');
        out.append("argc=").append(args.length).append('\n');
        for (int i = 0; i < args.length; i++) {
            out.append("arg").append(i).append("=[").append(args[i]).append("]\n");
        }
        System.out.print(out);
        System.out.flush();
        if (Boolean.getBoolean("app.wait")) {
            CountDownLatch never = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("hook");
                System.out.flush();
            }));
            System.out.println("ready");
            System.out.flush();
            never.await(60, TimeUnit.SECONDS);
            System.exit(99);
        }
        System.exit(Integer.getInteger("app.exit", 0));
    }

    /**
     * Waits (at most 10 s) until the connection's transport is decided: on Tux, or on kernel TCP with a reason,
     * so that each connection's outcome (and its tux.log=debug line) exists before the program exits.
     */
    private static boolean settled(SocketChannel ch) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        // Tux.mode is null for the platform's own channels (pass-through): nothing to wait for
        while (Tux.mode(ch) == io.tux.spi.ConnectionMode.KERNEL && Tux.fallbackReason(ch) == null) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    /** "exact 65536" when the bytes came back as sent through a loopback connection, else what went wrong. */
    private static String echo() throws Exception {
        byte[] sent = new byte[ECHO_BYTES];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 31 + (i >>> 8));
        }
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Throwable[] failure = new Throwable[1];
            boolean[] acceptedSettled = new boolean[1];
            Thread echoer = new Thread(() -> {
                try (SocketChannel s = server.accept()) {
                    ByteBuffer b = ByteBuffer.allocate(4096);
                    long moved = 0;
                    while (moved < ECHO_BYTES && s.read(b) >= 0) {
                        b.flip();
                        while (b.hasRemaining()) {
                            moved += s.write(b);
                        }
                        b.clear();
                    }
                    acceptedSettled[0] = settled(s);
                } catch (Throwable t) {
                    failure[0] = t;
                }
            }, "echoer");
            echoer.setDaemon(true);
            echoer.start();
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                Thread writer = new Thread(() -> {
                    try {
                        ByteBuffer w = ByteBuffer.wrap(sent);
                        while (w.hasRemaining()) {
                            client.write(w);
                        }
                    } catch (Throwable t) {
                        failure[0] = t;
                    }
                }, "writer");
                writer.setDaemon(true);
                writer.start();
                ByteBuffer got = ByteBuffer.allocate(ECHO_BYTES);
                Thread reader = Thread.currentThread();
                Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
                    try {
                        Thread.sleep(30_000); // a deadline for a hung echo, not synchronisation
                        reader.interrupt();
                    } catch (InterruptedException done) {
                        // the echo finished in time
                    }
                });
                try {
                    while (got.hasRemaining() && client.read(got) >= 0) {
                        // reads until every byte came back
                    }
                } catch (Exception e) {
                    return "failed " + e + " " + failure[0];
                } finally {
                    watchdog.interrupt();
                }
                if (got.hasRemaining()) {
                    return "short " + got.position() + " " + failure[0];
                }
                if (!java.util.Arrays.equals(sent, got.array())) {
                    return "different bytes";
                }
                boolean clientSettled = settled(client);
                echoer.join(30_000);
                return "exact " + ECHO_BYTES + (clientSettled && acceptedSettled[0] ? "" : " unsettled");
            }
        }
    }
}
