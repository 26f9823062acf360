package io.tux.xdp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.core.engine.EngineConfig;
import io.tux.core.stack.TuxUnavailableException;
import io.tux.core.stack.TuxUnavailableException.Reason;
import io.tux.xdp.support.ChildJvm;
import io.tux.xdp.support.Net;
import io.tux.xdp.support.Root;
import io.tux.xdp.xsk.XdpProgram;
import io.tux.xdp.xsk.XdpSocket;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every way {@link AfXdpStack#open} can fail ends in a TuxUnavailableException with the right reason. */
class StackFailuresTest {

    private static final AfXdpStack.Options QUICK =
            new AfXdpStack.Options(null, XdpSocket.Config.DEFAULT, Duration.ofMillis(300), java.util.List.of());

    @Test
    void ipv6AndUnresolvedAddressesAreUnsupported() {
        try (AfXdpStack stack = new AfXdpStack(EngineConfig.DEFAULT, 0, QUICK)) {
            TuxUnavailableException v6 = assertThrows(TuxUnavailableException.class, () -> stack.open(
                    new InetSocketAddress("::1", 5000), new InetSocketAddress("::1", 5001), 0, null));
            assertEquals(Reason.UNSUPPORTED_ADDRESS, v6.reason(), v6.getMessage());
            TuxUnavailableException unresolved = assertThrows(TuxUnavailableException.class, () -> stack.open(
                    InetSocketAddress.createUnresolved("tux.invalid", 5000), new InetSocketAddress("127.0.0.1", 5001),
                    0, null));
            assertEquals(Reason.UNSUPPORTED_ADDRESS, unresolved.reason(), unresolved.getMessage());
            assertTrue(stack.describe().startsWith("AF_XDP"), stack.describe());
        }
    }

    @Test
    void probeIsCachedAndSaysYesAsRoot() {
        Root.require();
        assertNull(AfXdpStack.probe());
        assertNull(AfXdpStack.probe());
    }

    @Test
    void aNeighbourThatNeverAnswersIsNoRoute() throws Exception {
        Root.require();
        String prefix = "10." + (100 + ProcessHandle.current().pid() % 100) + ".79";
        try (Net.Veth v = Net.Veth.rootPair();
                AfXdpStack stack = new AfXdpStack(EngineConfig.DEFAULT, 0, QUICK)) {
            Net.run("ip", "addr", "add", prefix + ".1/24", "dev", v.a());
            TuxUnavailableException e = assertThrows(TuxUnavailableException.class, () -> stack.open(
                    new InetSocketAddress(prefix + ".1", 5000), new InetSocketAddress(prefix + ".9", 5001), 0, null));
            assertEquals(Reason.NO_ROUTE, e.reason(), e.getMessage());
            assertNull(XdpProgram.attachedProgramName(NetworkInterface.getByName(v.a()).getIndex()),
                    "nothing attached for a connection that never opened");
        }
    }

    @Test
    void aClosedStackRefusesNewConnections() throws Exception {
        Root.require();
        AfXdpStack stack = new AfXdpStack(EngineConfig.DEFAULT, 0, QUICK);
        stack.close();
        stack.close(); // idempotent
        TuxUnavailableException e = assertThrows(TuxUnavailableException.class, () -> stack.open(
                new InetSocketAddress("127.0.0.1", 5000), new InetSocketAddress("127.0.0.1", 5001), 0, null));
        assertEquals(Reason.OTHER, e.reason(), e.getMessage());
    }

    /** A process without capabilities is told NO_PRIVILEGE by the probe, before anything is attempted. */
    @Test
    void withoutCapabilitiesTheReasonIsNoPrivilege() throws Exception {
        Root.require();
        try (ChildJvm child = ChildJvm.startWith(List.of("setpriv", "--bounding-set", "-all", "--inh-caps", "-all"),
                StackPeer.class, "hold", "127.0.0.1", "5000", "127.0.0.1", "5001", "0", "0")) {
            String line = child.awaitAnyLine(60, "UNAVAILABLE", "ESTABLISHED", "CRASH");
            assertTrue(line.startsWith("UNAVAILABLE NO_PRIVILEGE "), line);
            child.tell("exit");
            assertEquals(3, child.awaitExit(30));
        }
    }
}
