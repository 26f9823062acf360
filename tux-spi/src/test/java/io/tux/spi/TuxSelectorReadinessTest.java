package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The second readiness source of {@link TuxSelector}: channels whose transport is not the kernel are polled. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TuxSelectorReadinessTest {

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        toClose.add(c);
        return c;
    }

    private static TuxSelectorProvider provider(int pollBudgetMicros) {
        return new TuxSelectorProvider(TuxConfig.of(Map.of(TuxConfig.POLL_BUDGET_MICROS, "" + pollBudgetMicros)));
    }

    /** [our client (TuxSocketChannel), peer]. */
    private SocketChannel[] pair(TuxSelectorProvider p) throws IOException {
        ServerSocketChannel ssc = later(p.openServerSocketChannel());
        ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel c = later(p.openSocketChannel());
        c.connect(ssc.getLocalAddress());
        SocketChannel a = later(ssc.accept());
        return new SocketChannel[] {c, a};
    }

    @Test
    void aSignalWakesASleepingSelectorForAReadySource() throws Exception {
        TuxSelectorProvider p = provider(0);
        SocketChannel[] pair = pair(p);
        TuxSocketChannel ch = (TuxSocketChannel) pair[0];
        ch.configureBlocking(false);
        TuxSelector sel = later((TuxSelector) p.openSelector());
        SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
        FakeTransport fake = new FakeTransport();
        ch.switchTransport(fake, null);
        assertEquals(ConnectionMode.TUX, ch.mode());
        assertNull(ch.fallbackReason());

        // the kernel connection no longer stands for readiness
        pair[1].write(ByteBuffer.wrap(new byte[] {1}));
        assertEquals(0, sel.selectNow());

        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(sel.select());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        Await.blockedIn(t, "select");
        fake.incoming.add(new byte[] {10, 20, 30});
        fake.ready = SelectionKey.OP_READ;
        ch.signalReadiness();
        assertEquals(1, result.get(20, TimeUnit.SECONDS));
        assertEquals(List.of(key), List.copyOf(sel.selectedKeys()));
        assertEquals(SelectionKey.OP_READ, key.readyOps());
        ByteBuffer b = ByteBuffer.allocate(10);
        assertEquals(3, ch.read(b));
        assertArrayEquals(new byte[] {10, 20, 30}, java.util.Arrays.copyOf(b.array(), 3));
        t.join(10_000);
    }

    @Test
    void selectNowPollsSourcesWithoutASignalAndHonoursInterestAndSelectedSet() throws IOException {
        TuxSelectorProvider p = provider(0);
        TuxSocketChannel ch = (TuxSocketChannel) pair(p)[0];
        ch.configureBlocking(false);
        TuxSelector sel = later((TuxSelector) p.openSelector());
        FakeTransport fake = new FakeTransport();
        ch.switchTransport(fake, null);
        SelectionKey key = ch.register(sel, SelectionKey.OP_READ); // registered after the switch: polled at once
        fake.ready = SelectionKey.OP_WRITE;
        assertEquals(0, sel.selectNow(), "ready for an operation not in the interest set");
        fake.ready = SelectionKey.OP_READ | SelectionKey.OP_WRITE;
        assertEquals(1, sel.selectNow());
        assertEquals(SelectionKey.OP_READ, key.readyOps());
        assertEquals(0, sel.selectNow(), "already selected with the same ops");
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        assertEquals(1, sel.selectNow());
        assertEquals(SelectionKey.OP_READ | SelectionKey.OP_WRITE, key.readyOps());
        List<SelectionKey> seen = new ArrayList<>();
        assertEquals(1, sel.selectNow(seen::add));
        assertEquals(List.of(key), seen);
        fake.ready = 0;
        sel.selectedKeys().clear();
        assertEquals(0, sel.select(20));
    }

    @Test
    void aSpinningSelectorSeesASourceBecomeReadyWithoutASignal() throws Exception {
        TuxSelectorProvider p = provider(1_000_000);
        TuxSocketChannel ch = (TuxSocketChannel) pair(p)[0];
        ch.configureBlocking(false);
        TuxSelector sel = later((TuxSelector) p.openSelector());
        FakeTransport fake = new FakeTransport();
        ch.switchTransport(fake, null);
        SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(sel.select());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        Await.until(() -> fake.polls.get() > 100, "the selector to spin on the source");
        fake.ready = SelectionKey.OP_READ; // no signal: only spinning can see it
        assertEquals(1, result.get(20, TimeUnit.SECONDS));
        assertTrue(key.isReadable());
    }

    @Test
    void wakeupStillWorksWhileSpinning() throws Exception {
        TuxSelectorProvider p = provider(1_000_000);
        TuxSocketChannel ch = (TuxSocketChannel) pair(p)[0];
        ch.configureBlocking(false);
        TuxSelector sel = later((TuxSelector) p.openSelector());
        FakeTransport fake = new FakeTransport();
        ch.switchTransport(fake, null);
        ch.register(sel, SelectionKey.OP_READ);
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(sel.select());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        Await.until(() -> fake.polls.get() > 100, "the selector to spin on the source");
        sel.wakeup();
        assertEquals(0, result.get(20, TimeUnit.SECONDS));
    }

    @Test
    void switchingBackToTheKernelRestoresKernelReadiness() throws Exception {
        TuxSelectorProvider p = provider(0);
        SocketChannel[] pair = pair(p);
        TuxSocketChannel ch = (TuxSocketChannel) pair[0];
        ch.configureBlocking(false);
        TuxSelector sel = later((TuxSelector) p.openSelector());
        SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
        FakeTransport fake = new FakeTransport();
        ch.switchTransport(fake, null);
        assertEquals(0, sel.selectNow());
        pair[1].write(ByteBuffer.wrap(new byte[] {9}));
        assertEquals(0, sel.selectNow());
        ch.switchTransport(new KernelTransport(ch.tcp()), FallbackReason.ENGINE_ERROR);
        assertEquals(ConnectionMode.KERNEL, ch.mode());
        assertEquals(FallbackReason.ENGINE_ERROR, ch.fallbackReason());
        assertEquals(1, sel.select(20_000));
        assertTrue(key.isReadable());
        ByteBuffer b = ByteBuffer.allocate(4);
        assertEquals(1, ch.read(b));
        assertEquals(9, b.get(0));
    }

    @Test
    void aSwitchWhileTheSelectorSleepsOnTheKernelMovesTheKey() throws Exception {
        TuxSelectorProvider p = provider(0);
        TuxSocketChannel ch = (TuxSocketChannel) pair(p)[0];
        ch.configureBlocking(false);
        TuxSelector sel = later((TuxSelector) p.openSelector());
        SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
        FakeTransport fake = new FakeTransport();
        fake.ready = SelectionKey.OP_READ;
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(sel.select());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        Await.blockedIn(t, "select");
        ch.switchTransport(fake, null);
        assertEquals(1, result.get(20, TimeUnit.SECONDS));
        assertSame(key, sel.selectedKeys().iterator().next());
    }

    @Test
    void closingAPolledChannelCancelsItsKeyAndClosesItsTransport() throws IOException {
        TuxSelectorProvider p = provider(0);
        TuxSocketChannel ch = (TuxSocketChannel) pair(p)[0];
        ch.configureBlocking(false);
        TuxSelector sel = later((TuxSelector) p.openSelector());
        FakeTransport fake = new FakeTransport();
        ch.switchTransport(fake, null);
        SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
        fake.ready = SelectionKey.OP_READ;
        ch.close();
        assertFalse(key.isValid());
        assertEquals(1, fake.closes.get());
        assertEquals(0, sel.selectNow());
        assertTrue(sel.keys().isEmpty());
        assertEquals(0, ch.registrations().size());
    }

    @Test
    void countersFollowTheTransport() throws IOException {
        TuxSelectorProvider p = provider(0);
        TuxStats stats = p.runtime().stats;
        TuxSocketChannel ch = (TuxSocketChannel) pair(p)[0];
        assertEquals(2, stats.connectionsOpened.sum());
        assertEquals(2, stats.onKernel(FallbackReason.NO_NATIVE_ACCESS));
        ch.switchTransport(new FakeTransport(), null);
        assertEquals(1, stats.onKernel(FallbackReason.NO_NATIVE_ACCESS));
        assertEquals(1, stats.connectionsOnTux.sum());
        assertEquals(5, ch.write(ByteBuffer.allocate(5)));
        assertEquals(5, stats.bytesWrittenTux.sum());
        ch.switchTransport(new KernelTransport(ch.tcp()), FallbackReason.ENGINE_ERROR);
        assertEquals(0, stats.connectionsOnTux.sum());
        assertEquals(1, stats.onKernel(FallbackReason.ENGINE_ERROR));
        assertEquals(2, stats.onKernel());
    }

    @Test
    void aTuxSelectorRefusesChannelsOfOtherProviders() throws IOException {
        TuxSelectorProvider p = provider(0);
        SelectorProvider platform = p.platformProvider();
        TuxSelector sel = later((TuxSelector) p.openSelector());
        SocketChannel foreign = later(platform.openSocketChannel());
        foreign.configureBlocking(false);
        assertThrows(IllegalSelectorException.class, () -> foreign.register(sel, SelectionKey.OP_CONNECT));
        SocketChannel ours = later(p.openSocketChannel());
        ours.configureBlocking(false);
        var jdkSelector = later(platform.openSelector());
        assertThrows(IllegalSelectorException.class, () -> ours.register(jdkSelector, SelectionKey.OP_CONNECT));
    }
}
