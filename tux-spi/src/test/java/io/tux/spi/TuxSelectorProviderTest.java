package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuxSelectorProviderTest {

    @TempDir
    Path dir;

    @Test
    void wrappingModeHandsOutTuxObjects() throws IOException {
        TuxSelectorProvider p = new TuxSelectorProvider(TuxConfig.of(Map.of()));
        assertFalse(p.isPassThrough());
        try (SocketChannel sc = p.openSocketChannel();
                ServerSocketChannel ssc = p.openServerSocketChannel();
                Selector sel = p.openSelector();
                DatagramChannel dc = p.openDatagramChannel(StandardProtocolFamily.INET)) {
            assertInstanceOf(TuxSocketChannel.class, sc);
            assertInstanceOf(TuxServerSocketChannel.class, ssc);
            assertInstanceOf(TuxSelector.class, sel);
            assertInstanceOf(TuxDatagramChannel.class, dc);
            assertSame(p, dc.provider());
            assertNull(((TuxSocketChannel) sc).fallbackReason(), "no reason before the connection exists");
            assertEquals(ConnectionMode.KERNEL, Tux.mode(sc));
        }
        Pipe pipe = p.openPipe();
        assertInstanceOf(TuxPipe.Source.class, pipe.source());
        pipe.source().close();
        pipe.sink().close();
        assertNull(p.inheritedChannel());
    }

    @Test
    void passThroughModeHandsOutThePlatformsObjects() throws IOException {
        for (Map<String, String> props : java.util.List.of(Map.of("tux.enabled", "false"),
                Map.of("tux.pollBudgetMicros", "lots"))) {
            TuxSelectorProvider p = new TuxSelectorProvider(TuxConfig.of(props));
            assertTrue(p.isPassThrough());
            try (SocketChannel sc = p.openSocketChannel(); Selector sel = p.openSelector()) {
                assertSame(p.platformProvider(), sc.provider());
                assertSame(p.platformProvider(), sel.provider());
                assertNull(Tux.mode(sc));
            }
        }
    }

    @Test
    void anUnreachablePlatformProviderNeverFailsConstructionAndNamesTheCauseOnOpen() {
        IllegalStateException why = new IllegalStateException("cannot reach the platform's SelectorProvider (test)");
        TuxRuntime rt = new TuxRuntime(TuxConfig.of(Map.of("tux.log", "off")),
                new PlatformProvider.Result(null, null, why), false);
        TuxSelectorProvider p = new TuxSelectorProvider(rt);
        assertEquals(FallbackReason.PLATFORM_UNREACHABLE, rt.reason);
        IOException e = assertThrows(IOException.class, p::openSelector);
        assertEquals("Tux: cannot open NIO channels, the platform's SelectorProvider is unreachable: cannot reach the "
                + "platform's SelectorProvider (test)", e.getMessage());
        assertSame(why, e.getCause());
        assertThrows(IOException.class, p::openSocketChannel);
    }

    @Test
    void unixDomainConnectionsStayOnTheKernelWithTheirOwnReason() throws IOException {
        TuxSelectorProvider p = new TuxSelectorProvider(TuxConfig.of(Map.of()));
        UnixDomainSocketAddress addr = UnixDomainSocketAddress.of(dir.resolve("s.sock"));
        try (ServerSocketChannel ssc = p.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            ssc.bind(addr);
            try (SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
                assertTrue(c.connect(addr));
                try (SocketChannel a = ssc.accept()) {
                    assertEquals(FallbackReason.UNIX_DOMAIN, Tux.fallbackReason(c));
                    assertEquals(FallbackReason.UNIX_DOMAIN, Tux.fallbackReason(a));
                    assertEquals(1, c.write(ByteBuffer.wrap(new byte[] {6})));
                    ByteBuffer b = ByteBuffer.allocate(1);
                    assertEquals(1, a.read(b));
                    assertEquals(6, b.get(0));
                }
            }
        } finally {
            Files.deleteIfExists(addr.getPath());
        }
        assertEquals(2, p.runtime().stats.onKernel(FallbackReason.UNIX_DOMAIN));
    }

    @Test
    void visibilityApiAndMBean() throws Exception {
        // this JVM runs without tux.* properties and without native access: Tux enabled, AF_XDP not allowed
        assertFalse(Tux.isAvailable());
        assertEquals(FallbackReason.NO_NATIVE_ACCESS, Tux.unavailabilityReason());
        assertEquals(io.tux.core.stack.TuxUnavailableException.class, Tux.unavailabilityCause().getClass());
        IllegalStateException e = assertThrows(IllegalStateException.class, Tux::ensureAvailability);
        assertSame(Tux.unavailabilityCause(), e.getCause());
        assertEquals("Tux is not available: NO_NATIVE_ACCESS: the JVM runs without native access: start it with "
                + "--enable-native-access=ALL-UNNAMED (bin/tux-java does), connections run on kernel TCP", e.getMessage());
        assertFalse(Tux.isInstalled());

        TuxMXBean counters = Tux.counters();
        long before = counters.getConnectionsOpened();
        long kernelBefore = counters.getConnectionsOnKernel();
        TuxSelectorProvider p = new TuxSelectorProvider();
        try (ServerSocketChannel ssc = p.openServerSocketChannel()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel c = p.openSocketChannel()) {
                c.connect(ssc.getLocalAddress());
                try (SocketChannel a = ssc.accept()) {
                    assertEquals(3, c.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
                    assertEquals(3, a.read(ByteBuffer.allocate(3)));
                }
            }
        }
        assertEquals(before + 2, counters.getConnectionsOpened());
        assertEquals(kernelBefore + 2, counters.getConnectionsOnKernel());
        assertEquals(0, counters.getConnectionsOnTux());
        assertEquals("", counters.getEngineCounters(), "no engine runs without native access");
        assertTrue(counters.getBytesReadOnKernel() >= 3);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.tux:type=Tux");
        assertTrue(server.isRegistered(name));
        assertEquals(before + 2, server.getAttribute(name, "ConnectionsOpened"));
        assertEquals(false, server.getAttribute(name, "Available"));
        assertEquals("NO_NATIVE_ACCESS: NO_NATIVE_ACCESS: the JVM runs without native access: start it with "
                + "--enable-native-access=ALL-UNNAMED (bin/tux-java does), connections run on kernel TCP", server.getAttribute(name, "UnavailabilityReason"));
        javax.management.openmbean.TabularData byReason =
                (javax.management.openmbean.TabularData) server.getAttribute(name, "ConnectionsOnKernelByReason");
        assertEquals(counters.getConnectionsOnKernelByReason().get("NO_NATIVE_ACCESS"),
                byReason.get(new Object[] {"NO_NATIVE_ACCESS"}).get("value"));
    }
}
