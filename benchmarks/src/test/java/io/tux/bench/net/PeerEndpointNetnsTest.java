package io.tux.bench.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tux.xdp.testbed.NetnsTestBed;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The veth peer: a JVM started in namespace B, reached from namespace A over the veth pair, reporting its CPU,
 * and gone once closed. Needs root; fails when it cannot run if CI=true, else is skipped.
 */
@Timeout(120)
class PeerEndpointNetnsTest {
    private static void requireNetns() {
        String reason = NetnsTestBed.unavailableReason();
        if (reason == null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true but the network namespace test bed cannot run: " + reason);
        }
        Assumptions.abort("network namespace test bed unavailable: " + reason);
    }

    @Test
    void peerInNamespaceBAnswersOverVethAndLeavesNothingBehind() throws IOException {
        requireNetns();
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            PeerEndpoint peer = PeerEndpoint.inNamespace(bed.nsB(), bed.addressB(), "jdk");
            try {
                assertEquals(bed.addressB(), peer.greet().getAddress());
                assertEquals(false, peer.sharesProcess());
                // a client in namespace A reads the greeting across the veth pair
                String greeting = bed.execIn(bed.nsA(), Duration.ofSeconds(20), "bash", "-c",
                        "exec 3<>/dev/tcp/" + bed.addressB().getHostAddress() + "/" + peer.greet().getPort()
                                + " && head -c 1 <&3");
                assertEquals("g", greeting);
                long first = peer.cpuNanos();
                long second = peer.cpuNanos();
                assertTrue(first > 0 && second >= first, first + " then " + second);
                assertTrue(!pidsIn(bed.nsB()).isEmpty(), "the peer runs in namespace B");
            } finally {
                peer.close();
            }
            // close() waits for the peer JVM to exit: no process is left in namespace B
            assertEquals("", pidsIn(bed.nsB()));
        }
    }

    private static String pidsIn(String ns) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "pids", ns).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        try {
            if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("ip netns pids did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }
}
