package io.tux.bench.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The far end of the network benchmarks: one network thread, one selector, the four services of {@link Wire}
 * on four listening ports, all channels from one provider. Runs inside the benchmark JVM (the lo cases) or as
 * its own JVM through {@link #main} (the veth cases, in the other namespace).
 *
 * <p>Threading: {@link #start} and {@link #close} from one controlling thread; the network thread owns every
 * channel and buffer. {@link #threadCpuNanos} may be called from any thread.
 */
public final class Peer implements AutoCloseable {
    private static final int BUFFER = 64 * 1024;

    private enum Kind { ECHO, KV, SINK, GREET }

    /** Per-connection state; touched by the network thread only. */
    private static final class Conn {
        final Kind kind;
        final SocketChannel channel;
        /** Echo: bytes received and not yet sent back (write mode). Null for other kinds. */
        final ByteBuffer echo;
        /** KV: bytes of a request received so far beyond the last complete one. */
        int partialRequest;
        /** KV: response bytes owed. */
        long owed;

        Conn(Kind kind, SocketChannel channel) {
            this.kind = kind;
            this.channel = channel;
            this.echo = kind == Kind.ECHO ? ByteBuffer.allocateDirect(BUFFER) : null;
        }
    }

    private final SelectorProvider provider;
    private final Selector selector;
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final int[] ports = new int[Kind.values().length];
    /** Written by the controlling thread in close(), read by the network thread each loop; volatile. */
    private volatile boolean running = true;
    private final Thread thread;
    // Buffers of the network thread.
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(BUFFER);
    private final ByteBuffer responses = ByteBuffer.allocateDirect(BUFFER);
    private final ByteBuffer greeting = ByteBuffer.allocateDirect(Wire.GREETING_SIZE);
    /** Set by the network thread if it dies; read by the controlling thread after join. */
    private volatile Throwable failure;

    private Peer(SelectorProvider provider, InetAddress bind) throws IOException {
        this.provider = provider;
        this.selector = provider.openSelector();
        try {
            for (Kind kind : Kind.values()) {
                ServerSocketChannel server = provider.openServerSocketChannel();
                listeners.add(server);
                server.bind(new InetSocketAddress(bind, 0), 1024);
                server.configureBlocking(false);
                server.register(selector, SelectionKey.OP_ACCEPT, kind);
                ports[kind.ordinal()] = ((InetSocketAddress) server.getLocalAddress()).getPort();
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
        while (responses.hasRemaining()) {
            responses.put((byte) 'v');
        }
        greeting.put((byte) 'g');
        this.thread = new Thread(this::loop, "tux-bench-peer");
        this.thread.setDaemon(true);
    }

    /** Opens the four listeners on {@code bind} (port 0 each) with {@code provider} and starts the network thread. */
    public static Peer start(SelectorProvider provider, InetAddress bind) throws IOException {
        Peer peer = new Peer(provider, bind);
        peer.thread.start();
        return peer;
    }

    /** The provider of every channel of this peer. */
    public SelectorProvider provider() {
        return provider;
    }

    /** Port of the echo service. */
    public int echoPort() {
        return ports[Kind.ECHO.ordinal()];
    }

    /** Port of the kv service. */
    public int kvPort() {
        return ports[Kind.KV.ordinal()];
    }

    /** Port of the sink service. */
    public int sinkPort() {
        return ports[Kind.SINK.ordinal()];
    }

    /** Port of the greet service. */
    public int greetPort() {
        return ports[Kind.GREET.ordinal()];
    }

    /** CPU time of the network thread so far, nanoseconds (-1 if the JVM cannot tell). */
    public long threadCpuNanos() {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.threadId());
    }

    private void loop() {
        try {
            while (running) {
                selector.select(this::onReady);
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
            System.err.println("tux bench peer: network thread failed: " + e);
        } finally {
            closeQuietly();
        }
    }

    private void onReady(SelectionKey key) {
        try {
            if (!key.isValid()) {
                return;
            }
            if (key.isAcceptable()) {
                accept((ServerSocketChannel) key.channel(), (Kind) key.attachment());
                return;
            }
            Conn c = (Conn) key.attachment();
            if (key.isWritable()) {
                writable(key, c);
            }
            if (key.isValid() && key.isReadable()) {
                readable(key, c);
            }
        } catch (IOException e) {
            // A reset or a closed client: drop the connection, keep serving the others.
            closeConnection(key);
        }
    }

    private void accept(ServerSocketChannel server, Kind kind) throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            Conn c = new Conn(kind, ch);
            if (kind == Kind.GREET) {
                greeting.clear();
                ch.write(greeting); // one byte into an empty send buffer: always taken
            }
            ch.register(selector, SelectionKey.OP_READ, c);
        }
    }

    private void readable(SelectionKey key, Conn c) throws IOException {
        switch (c.kind) {
            case ECHO -> {
                int n = c.channel.read(c.echo);
                if (n < 0) {
                    closeConnection(key);
                    return;
                }
                flushEcho(key, c);
            }
            case KV -> {
                while (true) {
                    scratch.clear();
                    int n = c.channel.read(scratch);
                    if (n < 0) {
                        closeConnection(key);
                        return;
                    }
                    if (n == 0) {
                        break;
                    }
                    int bytes = c.partialRequest + n;
                    c.owed += (long) (bytes / Wire.KV_REQUEST) * Wire.KV_RESPONSE;
                    c.partialRequest = bytes % Wire.KV_REQUEST;
                }
                flushKv(key, c);
            }
            case SINK, GREET -> {
                while (true) {
                    scratch.clear();
                    int n = c.channel.read(scratch);
                    if (n < 0) {
                        closeConnection(key);
                        return;
                    }
                    if (n < scratch.capacity()) {
                        break;
                    }
                }
            }
        }
    }

    private void writable(SelectionKey key, Conn c) throws IOException {
        if (c.kind == Kind.ECHO) {
            flushEcho(key, c);
        } else if (c.kind == Kind.KV) {
            flushKv(key, c);
        }
    }

    /** Sends back what the echo buffer holds; reads stop while the send buffer is full. */
    private static void flushEcho(SelectionKey key, Conn c) throws IOException {
        c.echo.flip();
        c.channel.write(c.echo);
        if (c.echo.hasRemaining()) {
            c.echo.compact();
            key.interestOps(SelectionKey.OP_WRITE);
        } else {
            c.echo.clear();
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void flushKv(SelectionKey key, Conn c) throws IOException {
        while (c.owed > 0) {
            responses.clear();
            responses.limit((int) Math.min(c.owed, responses.capacity()));
            int w = c.channel.write(responses);
            c.owed -= w;
            if (responses.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
        }
        key.interestOps(SelectionKey.OP_READ);
    }

    private static void closeConnection(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException e) {
            // closing a dead connection: nothing to report
        }
    }

    /** Stops the network thread (bounded wait) and closes every channel. Idempotent. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly();
        if (failure != null) {
            throw new IllegalStateException("the peer's network thread failed", failure);
        }
    }

    private synchronized void closeQuietly() {
        if (selector.isOpen()) {
            for (SelectionKey k : selector.keys()) {
                try {
                    k.channel().close();
                } catch (IOException e) {
                    // best effort
                }
            }
        }
        for (ServerSocketChannel s : listeners) {
            try {
                s.close();
            } catch (IOException e) {
                // best effort
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // best effort
        }
    }

    /**
     * The peer as its own JVM: {@code Peer <jdk|tux> <bind address>}. Prints {@link Wire#READY} with the four
     * ports, then answers each {@link Wire#CPU_COMMAND} line on stdin with {@code CPU <process CPU ns>}, and
     * exits when stdin ends (so it never outlives the benchmark that started it) or on {@code quit}.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: Peer <jdk|tux> <bind address>");
            System.exit(2);
        }
        Peer peer;
        try {
            peer = start(Providers.named(args[0]), InetAddress.getByName(args[1]));
        } catch (RuntimeException | IOException e) {
            System.out.println("FAILED " + e.getMessage());
            System.out.flush();
            System.exit(1);
            return;
        }
        System.out.println(Wire.READY + " " + peer.echoPort() + " " + peer.kvPort() + " " + peer.sinkPort() + " "
                + peer.greetPort());
        System.out.flush();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals(Wire.CPU_COMMAND)) {
                    System.out.println(Wire.CPU_REPLY + " " + os.getProcessCpuTime());
                    System.out.flush();
                } else if (line.equals("quit")) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            peer.close();
        }
        System.exit(0);
    }
}
