package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Races between a selecting thread and the threads that wake it: no wakeup and no signal may be lost (a lost one
 * leaves the selecting thread asleep and the waiting thread times out), and registration churn from other
 * threads never breaks a selection.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TuxSelectorRaceTest {

    private static final int ROUNDS = 2000;

    private static void awaitChange(AtomicInteger counter, int from, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (counter.get() == from) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("lost " + what + " at round " + from);
            }
            Thread.onSpinWait();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 20})
    void noWakeupIsLost(int pollBudgetMicros) throws Exception {
        TuxSelectorProvider p = new TuxSelectorProvider(
                TuxConfig.of(Map.of("tux.pollBudgetMicros", "" + pollBudgetMicros, "tux.log", "off")));
        try (Selector sel = p.openSelector()) {
            AtomicInteger returned = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread selector = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; i < ROUNDS; i++) {
                        sel.select();
                        returned.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            for (int i = 0; i < ROUNDS; i++) {
                sel.wakeup();
                awaitChange(returned, i, "wakeup");
            }
            selector.join(20_000);
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(ROUNDS, returned.get());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 20})
    void noSignalIsLost(int pollBudgetMicros) throws Exception {
        TuxSelectorProvider p = new TuxSelectorProvider(
                TuxConfig.of(Map.of("tux.pollBudgetMicros", "" + pollBudgetMicros, "tux.log", "off")));
        try (ServerSocketChannel ssc = p.openServerSocketChannel(); Selector sel = p.openSelector()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            TuxSocketChannel ch = (TuxSocketChannel) p.openSocketChannel();
            ch.connect(ssc.getLocalAddress());
            ch.configureBlocking(false);
            FakeTransport fake = new FakeTransport();
            ch.switchTransport(fake, null);
            SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
            AtomicInteger returned = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread selector = Thread.ofPlatform().daemon().start(() -> {
                try {
                    int seen = 0;
                    while (seen < ROUNDS) {
                        int n = sel.select();
                        if (n > 0) {
                            if (!sel.selectedKeys().remove(key)) {
                                throw new AssertionError("selected set without the key");
                            }
                            fake.ready = 0; // consume, then tell the signaller
                            seen++;
                            returned.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            for (int i = 0; i < ROUNDS; i++) {
                fake.ready = SelectionKey.OP_READ;
                ch.signalReadiness();
                awaitChange(returned, i, "signal");
            }
            selector.join(20_000);
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(ROUNDS, returned.get());
            ch.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 20})
    void registrationChurnWhileSelecting(int pollBudgetMicros) throws Exception {
        TuxSelectorProvider p = new TuxSelectorProvider(
                TuxConfig.of(Map.of("tux.pollBudgetMicros", "" + pollBudgetMicros, "tux.log", "off")));
        try (ServerSocketChannel ssc = p.openServerSocketChannel(); Selector sel = p.openSelector()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            List<SocketChannel> clients = new ArrayList<>();
            List<SocketChannel> peers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                SocketChannel c = p.openSocketChannel();
                c.connect(ssc.getLocalAddress());
                c.configureBlocking(false);
                clients.add(c);
                peers.add(ssc.accept());
            }
            // half of them on a polled (fake Tux) transport, always readable
            for (int i = 0; i < 4; i++) {
                FakeTransport f = new FakeTransport();
                f.ready = SelectionKey.OP_READ;
                ((TuxSocketChannel) clients.get(i)).switchTransport(f, null);
            }
            for (SocketChannel peer : peers) {
                peer.write(ByteBuffer.wrap(new byte[] {1})); // the kernel ones are readable too
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicInteger selections = new AtomicInteger();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            Thread selector = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (System.nanoTime() - end < 0) {
                        sel.select(k -> {
                            try {
                                if ((k.readyOps() & SelectionKey.OP_READ) == 0) {
                                    throw new AssertionError("ready ops " + k.readyOps());
                                }
                            } catch (CancelledKeyException e) {
                                // a churner cancelled it meanwhile: the JDK's behaviour too
                            }
                        }, 10);
                        selections.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            List<Thread> churners = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int first = t * 4;
                churners.add(Thread.ofPlatform().daemon().start(() -> {
                    try {
                        int i = 0;
                        while (System.nanoTime() - end < 0) {
                            SocketChannel c = clients.get(first + (i++ % 4));
                            SelectionKey k = c.keyFor(sel);
                            try {
                                if (k == null) {
                                    c.register(sel, SelectionKey.OP_READ);
                                } else if (i % 3 == 0) {
                                    k.cancel();
                                } else {
                                    k.interestOps(i % 2 == 0 ? SelectionKey.OP_READ : 0);
                                }
                            } catch (CancelledKeyException e) {
                                // cancelled, not yet flushed: the JDK's behaviour too
                            }
                            if (i % 16 == 0) {
                                sel.wakeup();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread t : churners) {
                t.join(20_000);
            }
            selector.join(20_000);
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertTrue(selections.get() > 0);
            // everything flushed: registered keys are exactly the valid ones
            sel.selectNow();
            int registered = 0;
            for (SocketChannel c : clients) {
                registered += c.keyFor(sel) != null ? 1 : 0;
            }
            assertEquals(registered, sel.keys().size());
            for (SocketChannel c : clients) {
                SelectionKey k = c.keyFor(sel);
                if (k != null) {
                    assertTrue(k.isValid());
                    assertTrue(sel.keys().contains(k));
                }
            }
            for (SocketChannel c : clients) {
                c.close();
            }
            for (SocketChannel c : peers) {
                c.close();
            }
            sel.selectNow();
            assertTrue(sel.keys().isEmpty());
        }
    }
}
