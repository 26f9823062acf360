package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hooks a Tux transport uses for blocking operations ({@code beginBlocking}/{@code endBlocking}) give the JDK's
 * rules on platform and virtual threads: close releases a blocked reader with AsynchronousCloseException, an
 * interrupt closes the channel with ClosedByInterruptException and keeps the interrupt status.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TuxTransportHooksTest {

    private static TuxSocketChannel[] pairOnFake() throws Exception {
        TuxSelectorProvider p = new TuxSelectorProvider(TuxConfig.of(Map.of("tux.log", "off")));
        ServerSocketChannel ssc = p.openServerSocketChannel();
        ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel c = p.openSocketChannel();
        c.connect(ssc.getLocalAddress());
        SocketChannel a = ssc.accept();
        ssc.close();
        TuxSocketChannel t = (TuxSocketChannel) c;
        t.switchTransport(new BlockingFakeTransport(t), null);
        return new TuxSocketChannel[] {t, (TuxSocketChannel) a};
    }

    private static Thread thread(boolean virtual, Runnable r) {
        return virtual ? Thread.ofVirtual().start(r) : Thread.ofPlatform().daemon().start(r);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aBlockedReadGetsTheBytes(boolean virtual) throws Exception {
        TuxSocketChannel[] p = pairOnFake();
        BlockingFakeTransport fake = (BlockingFakeTransport) p[0].transport();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread t = thread(virtual, () -> {
            try {
                result.complete(p[0].read(ByteBuffer.allocate(10)));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        Await.blockedIn(t, "read");
        fake.deliver(new byte[] {1, 2, 3, 4});
        assertEquals(4, result.get(20, TimeUnit.SECONDS));
        p[0].close();
        p[1].close();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void closeReleasesABlockedReadWithAsynchronousCloseException(boolean virtual) throws Exception {
        TuxSocketChannel[] p = pairOnFake();
        CompletableFuture<Throwable> result = new CompletableFuture<>();
        Thread t = thread(virtual, () -> {
            try {
                p[0].read(ByteBuffer.allocate(10));
                result.complete(null);
            } catch (Throwable e) {
                result.complete(e);
            }
        });
        Await.blockedIn(t, "read");
        p[0].close();
        Throwable e = result.get(20, TimeUnit.SECONDS);
        assertNotNull(e);
        assertEquals(AsynchronousCloseException.class, e.getClass());
        // the TCP control connection is closed too: the peer sees end of stream
        assertEquals(-1, p[1].read(ByteBuffer.allocate(1)));
        p[1].close();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void interruptClosesTheChannelWithClosedByInterruptException(boolean virtual) throws Exception {
        TuxSocketChannel[] p = pairOnFake();
        CompletableFuture<Object[]> result = new CompletableFuture<>();
        Thread t = thread(virtual, () -> {
            try {
                p[0].read(ByteBuffer.allocate(10));
                result.complete(new Object[] {null});
            } catch (Throwable e) {
                result.complete(new Object[] {e, Thread.currentThread().isInterrupted(), p[0].isOpen()});
            }
        });
        Await.blockedIn(t, "read");
        t.interrupt();
        Object[] r = result.get(20, TimeUnit.SECONDS);
        assertNotNull(r[0]);
        assertEquals(ClosedByInterruptException.class, r[0].getClass());
        assertEquals(true, r[1]);
        assertEquals(false, r[2]);
        assertFalse(p[0].tcp().isOpen());
        p[1].close();
    }

    @Test
    void anAlreadyInterruptedReaderClosesTheChannel() throws Exception {
        TuxSocketChannel[] p = pairOnFake();
        Thread.currentThread().interrupt();
        Throwable e;
        try {
            e = org.junit.jupiter.api.Assertions.assertThrows(ClosedByInterruptException.class,
                    () -> p[0].read(ByteBuffer.allocate(1)));
            org.junit.jupiter.api.Assertions.assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        assertNotNull(e);
        assertFalse(p[0].isOpen());
        p[1].close();
    }
}
