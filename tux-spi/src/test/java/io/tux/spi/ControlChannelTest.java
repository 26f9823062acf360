package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.core.link.LoopbackLink;
import io.tux.core.stack.LoopbackStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The control channel (docs/PROTOCOL.md, "Control channel"): after the cutover the TCP connection is watched, so
 * that a peer that vanishes (its process killed: no Tux FIN or reset ever comes, its kernel closes the TCP socket)
 * reaches a blocked read or write as TCP would report it, while an orderly end still delivers every byte.
 *
 * <p>Over the in-process loopback stack; the peer "vanishes" by losing every Tux packet from then on (its engine
 * is silent, ours cannot reach it) and having its TCP socket closed, as the kernel of a killed process does.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ControlChannelTest {

    /** Own provider (own runtime, stack and counters): the impairment below must not touch other tests. */
    private static final TuxSelectorProvider TUX = new TuxSelectorProvider(TuxConfig.of(Map.of(
            TuxConfig.STACK, "loopback")));
    private static final ExecutorService THREADS = Executors.newVirtualThreadPerTaskExecutor();

    /** Set by a test when the peer vanishes; read by the network thread through the impairment. */
    private static volatile boolean silence;

    private SocketChannel a;
    private SocketChannel b;

    @AfterAll
    static void stop() {
        THREADS.close();
    }

    @AfterEach
    void cleanUp() throws IOException {
        silence = false;
        if (a != null) a.close();
        if (b != null) b.close();
    }

    private static LoopbackStack stack() {
        return assertInstanceOf(LoopbackStack.class, TUX.runtime().stack());
    }

    /** A connected pair, both ends with both directions on Tux and their control channels watched. */
    private void pair() throws IOException {
        stack().link().impairment((s, off, len) -> silence ? LoopbackLink.Fate.DROP : LoopbackLink.Fate.DELIVER);
        try (ServerSocketChannel ssc = TUX.openServerSocketChannel()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            a = TUX.openSocketChannel();
            a.connect(ssc.getLocalAddress());
            b = ssc.accept();
        }
        for (SocketChannel ch : new SocketChannel[] {a, b}) {
            TuxSocketChannel t = (TuxSocketChannel) ch;
            Await.until(() -> t.transport() instanceof TuxTransport x && x.controlWatched(),
                    "both directions of " + t + " on Tux and its control channel watched");
            assertEquals(ConnectionMode.TUX, Tux.mode(ch));
        }
    }

    /** B's process dies: its Tux engine goes silent, then its kernel ends the TCP connection (FIN, or RST). */
    private void vanishB(boolean rst) throws IOException {
        silence = true;
        SocketChannel bTcp = ((TuxSocketChannel) b).tcp();
        if (rst) bTcp.setOption(StandardSocketOptions.SO_LINGER, 0);
        ControlWatcher.shared(TUX.runtime().platform.provider()).close(bTcp);
    }

    /** Through the MBean's view of this provider's runtime, as a monitoring tool reads it. */
    private static long peersGone() {
        return new TuxRuntime.MBean(TUX.runtime()).getControlPeersGone();
    }

    private static SocketException resetOf(Future<?> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
        SocketException s = assertInstanceOf(SocketException.class, e.getCause());
        assertEquals("Connection reset", s.getMessage());
        return s;
    }

    /** Runs {@code task} on a new thread and waits until that thread is blocked in {@code method}. */
    private static <T> FutureTask<T> blocked(java.util.concurrent.Callable<T> task, String method) {
        FutureTask<T> f = new FutureTask<>(task);
        Thread t = Thread.ofPlatform().daemon().name("control-test-" + method).start(f);
        Await.blockedIn(t, method);
        return f;
    }

    @Test
    void aBlockedReadSeesAResetWhenThePeerVanishes() throws Exception {
        pair();
        long gone = peersGone();
        FutureTask<Integer> read = blocked(() -> a.read(ByteBuffer.allocate(100)), "read");
        long t0 = System.nanoTime();
        vanishB(false);
        resetOf(read);
        System.out.printf("control channel: peer vanished (FIN), blocked read reset after %.1f ms%n",
                (System.nanoTime() - t0) / 1e6);
        assertEquals(gone + 1, peersGone());
        // and so does every later read and write, as after a TCP reset
        assertEquals("Connection reset",
                assertThrows(SocketException.class, () -> a.read(ByteBuffer.allocate(1))).getMessage());
        assertEquals("Connection reset",
                assertThrows(SocketException.class, () -> a.write(ByteBuffer.wrap(new byte[] {1}))).getMessage());
    }

    @Test
    void aSelectorSeesTheResetAsReadable() throws Exception {
        pair();
        a.configureBlocking(false);
        try (java.nio.channels.Selector sel = TUX.openSelector()) {
            java.nio.channels.SelectionKey k = a.register(sel, java.nio.channels.SelectionKey.OP_READ);
            assertEquals(0, sel.selectNow());
            vanishB(false);
            assertEquals(1, sel.select(20_000));
            assertTrue(k.isReadable());
            assertEquals("Connection reset",
                    assertThrows(SocketException.class, () -> a.read(ByteBuffer.allocate(1))).getMessage());
        }
    }

    @Test
    void aPeerResetOfTcpIsAResetToo() throws Exception {
        pair();
        long gone = peersGone();
        FutureTask<Integer> read = blocked(() -> a.read(ByteBuffer.allocate(100)), "read");
        vanishB(true);
        resetOf(read);
        assertEquals(gone + 1, peersGone());
    }

    @Test
    void bytesThatArrivedBeforeThePeerVanishedAreReadFirst() throws Exception {
        pair();
        byte[] last = {10, 20, 30, 40, 50};
        NioConformanceSuite.writeFully(b, ByteBuffer.wrap(last));
        TuxTransport ta = (TuxTransport) ((TuxSocketChannel) a).transport();
        Await.until(() -> ta.readableOnTux() == last.length, "B's bytes delivered to A");
        vanishB(false);
        Await.until(() -> ta.controlChecks() >= 2, "A's control checks while its reader is away");
        ByteBuffer got = ByteBuffer.allocate(100);
        assertEquals(last.length, a.read(got)); // not reset while the application has bytes to read
        assertArrayEquals(last, java.util.Arrays.copyOf(got.array(), got.position()));
        FutureTask<Integer> read = blocked(() -> a.read(ByteBuffer.allocate(100)), "read");
        resetOf(read);
    }

    @Test
    void aBlockedWriteSeesAResetWhenThePeerVanishes() throws Exception {
        pair();
        // B never reads: A's send buffer and B's receive buffer fill, and A's blocking write blocks
        FutureTask<Integer> write = blocked(() -> a.write(ByteBuffer.allocate(8 << 20)), "write");
        vanishB(false);
        resetOf(write);
    }

    @Test
    void aByteOnTcpAfterTheNudgeResetsTheConnection() throws Exception {
        pair();
        TuxMXBean mx = new TuxRuntime.MBean(TUX.runtime());
        long violations = mx.getControlViolations();
        long gone = peersGone();
        FutureTask<Integer> read = blocked(() -> a.read(ByteBuffer.allocate(100)), "read");
        SocketChannel bTcp = ((TuxSocketChannel) b).tcp();
        assertEquals(1, bTcp.write(ByteBuffer.wrap(new byte[] {0x7f})));
        resetOf(read);
        assertEquals(violations + 1, mx.getControlViolations());
        assertEquals(gone, peersGone());
    }

    @Test
    void anOrderlyCloseDeliversEveryByteToASlowReader() throws Exception {
        pair();
        // more than A's receive buffer (256 KiB), less than that plus B's send buffer: B's write returns and B
        // closes while the last bytes and the Tux FIN can only go once A reads
        byte[] data = NioConformanceSuite.pattern(400_000, 42);
        FutureTask<Void> writer = new FutureTask<>(() -> {
            NioConformanceSuite.writeFully(b, ByteBuffer.wrap(data));
            b.close(); // TCP ends at once; Tux still carries the rest
            return null;
        });
        Thread.ofPlatform().daemon().start(writer);
        TuxTransport ta = (TuxTransport) ((TuxSocketChannel) a).transport();
        Await.until(() -> ta.controlChecks() >= 3, "A's control checks after B's TCP ended, while A does not read");
        assertArrayEquals(data, NioConformanceSuite.readFully(a, data.length, false));
        assertEquals(-1, a.read(ByteBuffer.allocate(1)));
        writer.get(20, TimeUnit.SECONDS);
    }
}
