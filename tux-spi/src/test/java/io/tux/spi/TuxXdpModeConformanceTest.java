package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite in Tux mode over real AF_XDP: every connection the suite pairs is carried by an AF_XDP
 * socket on {@code lo} (generic XDP) once its Tux handshake succeeded, and the suite's expectations stay the JDK's.
 *
 * <p>Runs only in its own surefire execution ({@code tux-xdp-conformance} in tux-spi/pom.xml): a JVM with native
 * access (the module's other tests run without it on purpose) started by {@code src/test/jvm/own-netns/bin/java}
 * in a network namespace of its own, so that lo's queue and XDP hook are this JVM's alone. Needs root: when it
 * cannot run it FAILS under CI=true and is skipped otherwise. In the module's default execution (no native access)
 * it is skipped: it runs in the other one.
 */
class TuxXdpModeConformanceTest extends NioConformanceSuite {

    /** Set by the tux-xdp-conformance execution only. */
    static final String FORK_PROPERTY = "tux.test.xdpConformance";

    private static TuxSelectorProvider tux;
    /** Connection ends the suite checked to be on Tux (test threads). */
    private static final AtomicLong checkedOnTux = new AtomicLong();

    @BeforeAll
    static void requireAfXdp() {
        Assumptions.assumeTrue(Boolean.getBoolean(FORK_PROPERTY),
                "runs in the tux-xdp-conformance surefire execution (native access, own network namespace)");
        String why = null;
        if (!StackFactory.nativeAccess()) {
            why = "the JVM runs without native access";
        } else if (System.getenv("TUX_TEST_OWN_NETNS") == null) {
            why = "no network namespace of its own (needs root, unshare and ip)";
        } else {
            tux = new TuxSelectorProvider(TuxConfig.of(Map.of(TuxConfig.STACK, "xdp")));
            if (!tux.runtime().available()) {
                why = "Tux over AF_XDP unavailable: " + tux.runtime().reason + ": " + tux.runtime().cause;
            } else if (tux.runtime().stack() == null) {
                why = "the AF_XDP stack did not open: " + tux.runtime().stackFailure();
            }
        }
        if (why == null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true but the AF_XDP conformance run cannot run: " + why);
        }
        Assumptions.abort("AF_XDP conformance run unavailable: " + why);
    }

    @Override
    protected SelectorProvider provider() {
        return tux;
    }

    @Override
    protected void checkEstablished(SocketChannel client, SocketChannel accepted) {
        for (SocketChannel ch : new SocketChannel[] {client, accepted}) {
            TuxSocketChannel t = assertInstanceOf(TuxSocketChannel.class, ch);
            Await.until(() -> t.mode() == ConnectionMode.TUX, "Tux handshake of " + t);
            assertNull(t.fallbackReason());
            assertEquals(ConnectionMode.TUX, Tux.mode(ch));
            checkedOnTux.incrementAndGet();
        }
    }

    /** The connections really went over the AF_XDP stack on lo: counted on Tux, bytes carried on Tux. */
    @AfterAll
    static void everyCheckedConnectionWasOnTux() {
        if (tux == null) {
            return;
        }
        TuxStats s = tux.runtime().stats;
        String stack = tux.runtime().stack().describe();
        System.out.println("XDP conformance: stack " + stack + "; ends checked on Tux " + checkedOnTux.get()
                + ", connections on Tux " + s.connectionsOnTux.sum() + " of " + s.connectionsOpened.sum()
                + " (kernel: " + s.onKernelByReason() + "), bytes on Tux in " + s.bytesReadTux.sum() + " out " + s.bytesWrittenTux.sum());
        assertTrue(checkedOnTux.get() > 0, "the suite checked connections");
        assertTrue(s.connectionsOnTux.sum() >= checkedOnTux.get(), "every checked end counted on Tux");
        assertTrue(s.bytesReadTux.sum() > 0 && s.bytesWrittenTux.sum() > 0, "bytes carried on Tux");
    }
}
