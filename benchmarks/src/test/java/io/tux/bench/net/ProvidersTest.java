package io.tux.bench.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.spi.SelectorProvider;
import org.junit.jupiter.api.Test;

class ProvidersTest {
    @Test
    void eachCaseNamesTheProviderOfEachEnd() {
        assertEquals("jdk", Providers.clientProviderName("jdk"));
        assertEquals("jdk", Providers.peerProviderName("jdk"));
        assertEquals("tux", Providers.clientProviderName("tux"));
        assertEquals("tux", Providers.peerProviderName("tux"));
        assertEquals("tux", Providers.clientProviderName("tux-peer-jdk"));
        assertEquals("jdk", Providers.peerProviderName("tux-peer-jdk"));
        assertThrows(IllegalArgumentException.class, () -> Providers.clientProviderName("epoll"));
        assertThrows(IllegalArgumentException.class, () -> Providers.named("epoll"));
    }

    @Test
    void jdkIsThePlatformProvider() {
        SelectorProvider p = Providers.named("jdk");
        assertTrue(p.getClass().getName().startsWith("sun.nio.ch."), p.getClass().getName());
    }

    @Test
    void tuxIsTheTuxProviderOrAClearFailureNeverTheJdk() {
        boolean present;
        try {
            Class.forName(Providers.TUX_CLASS);
            present = true;
        } catch (ClassNotFoundException e) {
            present = false;
        }
        if (present) {
            assertEquals(Providers.TUX_CLASS, Providers.named("tux").getClass().getName());
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Providers.named("tux"));
            assertTrue(e.getMessage().contains(Providers.TUX_CLASS) && e.getMessage().contains("not on the class path"),
                    e.getMessage());
            assertInstanceOf(ClassNotFoundException.class, e.getCause());
        }
    }
}
