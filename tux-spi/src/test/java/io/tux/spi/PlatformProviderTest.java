package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;

import org.junit.jupiter.api.Test;

/**
 * Fails loudly when a JDK update breaks the way Tux reaches the platform's own SelectorProvider: then every
 * program run with Tux's provider would lose NIO. The test JVM runs without our property and without
 * {@code --add-exports}, like a user's JVM.
 */
class PlatformProviderTest {

    @Test
    void thePlatformProviderIsReachableWithoutFlags() {
        PlatformProvider.Result r = PlatformProvider.find();
        assertTrue(r.found(), () -> {
            java.io.StringWriter w = new java.io.StringWriter();
            r.failure().printStackTrace(new java.io.PrintWriter(w));
            return "JDK " + System.getProperty("java.version") + " broke the way Tux reaches the platform "
                    + "SelectorProvider; every program using -Djava.nio.channels.spi.SelectorProvider="
                    + "io.tux.spi.TuxSelectorProvider would fail to open channels:\n" + w;
        });
        assertNull(r.failure());
        assertNotNull(r.way());
        // in this JVM no provider is configured, so SelectorProvider.provider() is the platform's own
        assertSame(SelectorProvider.provider().getClass(), r.provider().getClass(),
                "reached a different class than the JDK's default provider");
        assertEquals(PlatformProvider.platformClassName(), r.provider().getClass().getName());
    }

    @Test
    void theReachedProviderWorks() throws Exception {
        SelectorProvider p = PlatformProvider.find().provider();
        try (Selector sel = p.openSelector()) {
            Pipe pipe = p.openPipe();
            try (Pipe.SourceChannel src = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
                src.configureBlocking(false);
                SelectionKey k = src.register(sel, SelectionKey.OP_READ);
                assertEquals(1, sink.write(ByteBuffer.wrap(new byte[] {1})));
                assertEquals(1, sel.select(20_000));
                assertTrue(k.isReadable());
                assertSame(p, src.provider());
            }
        }
    }

    @Test
    void withoutAddExportsTheWayIsTheUnsafeOne() {
        // documents which way works on this JDK without flags; the child-JVM test covers --add-exports
        assertEquals(PlatformProvider.Way.ALLOCATE_INSTANCE, PlatformProvider.find().way());
    }
}
