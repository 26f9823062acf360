package io.tux.xdp.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionState;
import io.tux.core.engine.Engine;
import io.tux.core.engine.EngineConfig;
import io.tux.core.engine.Mode;
import io.tux.core.engine.NetworkThread;
import io.tux.xdp.support.FixedRoutes;
import io.tux.xdp.support.Net;
import io.tux.xdp.support.Root;
import io.tux.xdp.support.ThreadStates;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * As root, over a veth pair: a thread sleeping in {@link AfXdpLink#await} wakes for an arriving packet and for
 * {@link AfXdpLink#wakeup}; a wakeup given while nobody sleeps is not lost; and network threads whose poll
 * budget is 0 (they sleep as soon as they are idle) move data both ways, woken by packets and by application
 * writes. Every wait is bounded; the awaits themselves last 60 s, far longer than any bound, so a missed wakeup
 * fails the test.
 */
class AwaitWakeupTest {

    private static final long LONG_AWAIT = TimeUnit.SECONDS.toNanos(60);

    @Test
    void sleepingLinkWakesForAPacketAndForWakeup() throws Exception {
        Root.require();
        try (Net.Veth v = Net.Veth.rootPair()) {
            try (AfXdpLink la = FixedRoutes.linkOnA(v); AfXdpLink lb = FixedRoutes.linkOnB(v)) {
                InetSocketAddress a = new InetSocketAddress("10.77.204.1", 7001);
                InetSocketAddress b = new InetSocketAddress("10.77.204.2", 7002);
                int ra = la.openRoute(a, b);
                int rb = lb.openRoute(b, a);
                List<byte[]> got = new ArrayList<>();
                List<Integer> routes = new ArrayList<>();
                AtomicInteger phase = new AtomicInteger();
                Thread sleeper = Thread.ofPlatform().name("tux-sleeper").start(() -> {
                    lb.await(LONG_AWAIT); // ends with the packet
                    phase.set(1);
                    lb.poll((r, seg, off, len) -> {
                        routes.add(r);
                        got.add(seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE));
                    }, 64);
                    phase.set(2);
                    lb.await(LONG_AWAIT); // ends with wakeup
                    phase.set(3);
                });
                try {
                    ThreadStates.awaitSleeping(sleeper, 20);
                    assertEquals(0, phase.get());
                    byte[] p = Packets.packet(9, 1, 100);
                    assertTrue(la.send(ra, MemorySegment.ofArray(p), 0, p.length));
                    la.flush();
                    awaitPhase(phase, 2);
                    assertEquals(List.of(rb), routes);
                    assertArrayEquals(p, got.get(0));

                    ThreadStates.awaitSleeping(sleeper, 20);
                    assertEquals(2, phase.get());
                    lb.wakeup(sleeper);
                    sleeper.join(TimeUnit.SECONDS.toMillis(20));
                    assertFalse(sleeper.isAlive(), "wakeup ended the await");
                    assertEquals(3, phase.get());
                } finally {
                    lb.wakeup(sleeper);
                    sleeper.join(TimeUnit.SECONDS.toMillis(20));
                }
                assertEquals(2, lb.awaits());
                assertEquals(2, lb.awaitsWoken());

                // A wakeup while nobody sleeps is kept: the next await returns at once (bounded by its 60 s).
                long before = lb.awaitsWoken();
                lb.wakeup(Thread.currentThread());
                lb.await(LONG_AWAIT);
                assertEquals(before + 1, lb.awaitsWoken());
                Packets.assertAllFramesAccounted(la);
            }
        }
    }

    @Test
    void networkThreadsThatSleepWhenIdleAreWokenByPacketsAndWrites() throws Exception {
        Root.require();
        try (Net.Veth v = Net.Veth.rootPair()) {
            try (AfXdpLink la = FixedRoutes.linkOnA(v); AfXdpLink lb = FixedRoutes.linkOnB(v)) {
                InetSocketAddress a = new InetSocketAddress("10.77.205.1", 7001);
                InetSocketAddress b = new InetSocketAddress("10.77.205.2", 7002);
                int ra = la.openRoute(a, b);
                int rb = lb.openRoute(b, a);
                EngineConfig config = EngineConfig.DEFAULT.withHandshakeTimeoutNanos(TimeUnit.SECONDS.toNanos(20));
                try (NetworkThread ta = new NetworkThread(new Engine(la, config), "tux-net-a", 0).start();
                        NetworkThread tb = new NetworkThread(new Engine(lb, config), "tux-net-b", 0).start()) {
                    Connection ca = ta.engine().open(ra, Mode.STREAM, 1, null);
                    Connection cb = tb.engine().open(rb, Mode.STREAM, 2, null);
                    awaitState(ca, ConnectionState.ESTABLISHED);
                    awaitState(cb, ConnectionState.ESTABLISHED);
                    for (int round = 0; round < 20; round++) {
                        // Both network threads asleep: the write must wake A, A's packet must wake B.
                        ThreadStates.awaitSleeping(ta.thread(), 20);
                        ThreadStates.awaitSleeping(tb.thread(), 20);
                        Connection from = round % 2 == 0 ? ca : cb;
                        Connection to = round % 2 == 0 ? cb : ca;
                        byte[] message = new byte[1000 + round];
                        for (int i = 0; i < message.length; i++) {
                            message[i] = (byte) (round * 13 + i);
                        }
                        assertEquals(message.length, from.write(ByteBuffer.wrap(message)));
                        ByteBuffer in = ByteBuffer.allocate(message.length);
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (in.hasRemaining() && System.nanoTime() < deadline) {
                            if (to.read(in) == 0) {
                                Thread.onSpinWait();
                            }
                        }
                        assertArrayEquals(message, in.array(), "round " + round);
                    }
                    assertTrue(la.awaitsWoken() >= 10 && lb.awaitsWoken() >= 10,
                            "the network threads slept and were woken: " + la.awaitsWoken() + ", " + lb.awaitsWoken());
                }
            }
        }
    }

    private static void awaitPhase(AtomicInteger phase, int want) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (phase.get() < want && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(want, phase.get(), "the sleeping thread did not wake within 20 s");
    }

    private static void awaitState(Connection c, ConnectionState s) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (c.state() != s && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(s, c.state());
    }
}
