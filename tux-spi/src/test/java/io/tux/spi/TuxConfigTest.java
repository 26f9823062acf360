package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TuxConfigTest {

    @Test
    void defaults() {
        TuxConfig c = TuxConfig.of(Map.of());
        assertTrue(c.enabled());
        assertEquals(1000, c.handshakeTimeoutMillis());
        assertEquals(10_000, c.peerCacheMillis());
        assertEquals(List.of(), c.interfaces());
        assertEquals(TuxConfig.XdpMode.AUTO, c.xdpMode());
        assertEquals(TuxConfig.LINK_IDLE_AUTO, c.linkIdleMillis());
        assertEquals(1, c.engineThreads());
        assertEquals(50, c.pollBudgetMicros());
        assertEquals(TuxConfig.LogLevel.INFO, c.log());
        assertFalse(c.summaryAtExit());
        assertEquals(List.of(), c.problems());
        assertNull(c.problemText());
        assertEquals("tux.enabled=true, tux.handshakeTimeoutMillis=1000, tux.peerCacheMillis=10000, tux.interfaces=auto, tux.xdpMode=auto, tux.linkIdleMillis=auto, "
                + "tux.engineThreads=1, "
                + "tux.pollBudgetMicros=50, tux.log=info, tux.summaryAtExit=false, tux.stack=xdp", c.toString());
    }

    @Test
    void wellFormedValues() {
        TuxConfig c = TuxConfig.of(Map.of(
                "tux.enabled", " FALSE ",
                "tux.handshakeTimeoutMillis", "250",
                "tux.peerCacheMillis", "0",
                "tux.interfaces", "veth0, eth1",
                "tux.xdpMode", " Generic ",
                "tux.linkIdleMillis", " 250 ",
                "tux.engineThreads", "64",
                "tux.pollBudgetMicros", "0",
                "tux.log", "Debug",
                "tux.summaryAtExit", "true"));
        assertEquals(List.of(), c.problems());
        assertFalse(c.enabled());
        assertEquals(250, c.handshakeTimeoutMillis());
        assertEquals(0, c.peerCacheMillis());
        assertEquals(List.of("veth0", "eth1"), c.interfaces());
        assertEquals(TuxConfig.XdpMode.GENERIC, c.xdpMode());
        assertEquals(250, c.linkIdleMillis());
        assertEquals(64, c.engineThreads());
        assertEquals(0, c.pollBudgetMicros());
        assertEquals(TuxConfig.LogLevel.DEBUG, c.log());
        assertTrue(c.summaryAtExit());
        assertEquals(List.of(), TuxConfig.of(Map.of("tux.interfaces", "AUTO")).interfaces());
        assertEquals(TuxConfig.LINK_IDLE_NEVER, TuxConfig.of(Map.of("tux.linkIdleMillis", "Never")).linkIdleMillis());
        assertEquals(TuxConfig.LINK_IDLE_AUTO, TuxConfig.of(Map.of("tux.linkIdleMillis", "auto")).linkIdleMillis());
        assertEquals(0, TuxConfig.of(Map.of("tux.linkIdleMillis", "0")).linkIdleMillis());
        assertEquals("tux.linkIdleMillis=never", TuxConfig.of(Map.of("tux.linkIdleMillis", "never")).toString()
                .replaceAll(".*(tux.linkIdleMillis=[a-z0-9]+).*", "$1"));
        assertEquals(1_000_000, TuxConfig.of(Map.of("tux.pollBudgetMicros", "1000000")).pollBudgetMicros());
        assertEquals(Integer.MAX_VALUE,
                TuxConfig.of(Map.of("tux.handshakeTimeoutMillis", "2147483647")).handshakeTimeoutMillis());
        assertEquals(Integer.MAX_VALUE, TuxConfig.of(Map.of("tux.peerCacheMillis", " 2147483647 ")).peerCacheMillis());
    }

    private static String onlyProblem(String property, String value) {
        List<String> p = TuxConfig.of(Map.of(property, value)).problems();
        assertEquals(1, p.size(), p.toString());
        return p.get(0);
    }

    @Test
    void malformedValuesNameThePropertyAndTheAllowedValues() {
        assertEquals("Invalid value \"yes\" for system property tux.enabled: expected true or false",
                onlyProblem("tux.enabled", "yes"));
        assertEquals("Invalid value \"-1\" for system property tux.peerCacheMillis: expected an integer from 0 to "
                + "2147483647", onlyProblem("tux.peerCacheMillis", "-1"));
        assertEquals("Invalid value \"30s\" for system property tux.peerCacheMillis: expected an integer from 0 to "
                + "2147483647", onlyProblem("tux.peerCacheMillis", "30s"));
        assertEquals("Invalid value \"0\" for system property tux.handshakeTimeoutMillis: expected an integer from 1 "
                + "to 2147483647", onlyProblem("tux.handshakeTimeoutMillis", "0"));
        assertEquals("Invalid value \"2147483648\" for system property tux.handshakeTimeoutMillis: expected an "
                + "integer from 1 to 2147483647", onlyProblem("tux.handshakeTimeoutMillis", "2147483648"));
        assertEquals("Invalid value \"eth0,,eth1\" for system property tux.interfaces: expected auto or a "
                + "comma-separated list of interface names (1 to 15 characters, no spaces or '/')",
                onlyProblem("tux.interfaces", "eth0,,eth1"));
        assertEquals("Invalid value \"a/b\" for system property tux.interfaces: expected auto or a comma-separated "
                + "list of interface names (1 to 15 characters, no spaces or '/')", onlyProblem("tux.interfaces", "a/b"));
        assertEquals("Invalid value \"drv\" for system property tux.xdpMode: expected auto, native or generic",
                onlyProblem("tux.xdpMode", "drv"));
        assertEquals("Invalid value \"-1\" for system property tux.linkIdleMillis: expected auto, never or an "
                + "integer from 0 to 2147483647", onlyProblem("tux.linkIdleMillis", "-1"));
        assertEquals("Invalid value \"2s\" for system property tux.linkIdleMillis: expected auto, never or an "
                + "integer from 0 to 2147483647", onlyProblem("tux.linkIdleMillis", "2s"));
        assertEquals("Invalid value \"0\" for system property tux.engineThreads: expected an integer from 1 to 64",
                onlyProblem("tux.engineThreads", "0"));
        assertEquals("Invalid value \"65\" for system property tux.engineThreads: expected an integer from 1 to 64",
                onlyProblem("tux.engineThreads", "65"));
        assertEquals("Invalid value \"four\" for system property tux.engineThreads: expected an integer from 1 to 64",
                onlyProblem("tux.engineThreads", "four"));
        assertEquals("Invalid value \"-1\" for system property tux.pollBudgetMicros: expected an integer from 0 to "
                + "1000000", onlyProblem("tux.pollBudgetMicros", "-1"));
        assertEquals("Invalid value \"1000001\" for system property tux.pollBudgetMicros: expected an integer from 0 "
                + "to 1000000", onlyProblem("tux.pollBudgetMicros", "1000001"));
        assertEquals("Invalid value \"verbose\" for system property tux.log: expected off, info or debug",
                onlyProblem("tux.log", "verbose"));
        assertEquals("Invalid value \"dpdk\" for system property tux.stack: expected xdp or loopback",
                onlyProblem("tux.stack", "dpdk"));
        assertEquals(TuxConfig.StackKind.LOOPBACK, TuxConfig.of(Map.of("tux.stack", " LoopBack ")).stack());
        assertEquals("Invalid value \"\" for system property tux.summaryAtExit: expected true or false",
                onlyProblem("tux.summaryAtExit", ""));
    }

    @Test
    void aMalformedValueTakesItsDefaultAndAllProblemsAreReportedInTableOrder() {
        TuxConfig c = TuxConfig.of(Map.of("tux.log", "loud", "tux.engineThreads", "100"));
        assertEquals(1, c.engineThreads());
        assertEquals(TuxConfig.LogLevel.INFO, c.log());
        assertEquals("Invalid value \"100\" for system property tux.engineThreads: expected an integer from 1 to 64; "
                + "Invalid value \"loud\" for system property tux.log: expected off, info or debug", c.problemText());
    }

    @Test
    void aMalformedValueDisablesTuxWithTheMessageAsCause() {
        TuxRuntime rt = new TuxRuntime(TuxConfig.of(Map.of("tux.engineThreads", "0")), PlatformProvider.find(), false);
        assertEquals(FallbackReason.CONFIG_INVALID, rt.reason);
        assertTrue(rt.passThrough());
        assertEquals(IllegalArgumentException.class, rt.cause.getClass());
        assertEquals("Invalid value \"0\" for system property tux.engineThreads: expected an integer from 1 to 64",
                rt.cause.getMessage());
    }

    @Test
    void xdpModeBecomesTheStacksForcedMode() {
        assertNull(StackFactory.forcedMode(TuxConfig.XdpMode.AUTO), "the stack chooses per device");
        assertEquals(io.tux.xdp.xsk.XdpProgram.Mode.NATIVE, StackFactory.forcedMode(TuxConfig.XdpMode.NATIVE));
        assertEquals(io.tux.xdp.xsk.XdpProgram.Mode.GENERIC, StackFactory.forcedMode(TuxConfig.XdpMode.GENERIC));
        assertEquals(TuxConfig.XdpMode.NATIVE, TuxConfig.of(Map.of("tux.xdpMode", "NATIVE")).xdpMode());
    }

    @Test
    void linkIdleMillisBecomesTheStacksIdleClose() {
        io.tux.xdp.stack.AfXdpStack.IdleClose auto = StackFactory.idleClose(TuxConfig.LINK_IDLE_AUTO);
        assertEquals(java.time.Duration.ofMillis(2000), auto.generic());
        assertNull(auto.nativeMode(), "auto never detaches a driver-mode program");
        assertEquals(io.tux.xdp.stack.AfXdpStack.IdleClose.NEVER, StackFactory.idleClose(TuxConfig.LINK_IDLE_NEVER));
        assertEquals(new io.tux.xdp.stack.AfXdpStack.IdleClose(java.time.Duration.ofMillis(250),
                java.time.Duration.ofMillis(250)), StackFactory.idleClose(250));
        assertEquals(java.time.Duration.ZERO, StackFactory.idleClose(0).nativeMode());
    }

    @Test
    void propertiesListMatchesTheDocumentedTable() throws Exception {
        assertEquals(List.of("tux.enabled", "tux.handshakeTimeoutMillis", "tux.peerCacheMillis", "tux.interfaces",
                "tux.xdpMode", "tux.linkIdleMillis", "tux.engineThreads",
                "tux.pollBudgetMicros", "tux.log", "tux.summaryAtExit"), TuxConfig.PROPERTIES);
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("CONFIG.md"));
        for (String p : TuxConfig.PROPERTIES) {
            assertTrue(doc.contains("`" + p + "`"), p + " missing from CONFIG.md");
        }
    }
}
