package io.tux.xdp.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tux.xdp.testbed.NetnsRequirement;
import io.tux.xdp.testbed.NetnsTestBed;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Root-only: a watch opened inside namespace A reports each kind of change a cached route depends on (a route, a
 * neighbour, a link's MTU, an address), once, and nothing when nothing changed.
 */
class NetlinkChangesNetnsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static String check(Process child) throws IOException {
        OutputStream out = child.getOutputStream();
        out.write("check\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return NetnsTestBed.awaitLine(child, "CHANGED ", WAIT);
    }

    @Test
    void eachKindOfChangeIsReportedOnce() throws Exception {
        NetnsRequirement.require();
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            String ns = bed.nsA();
            String dev = bed.ifaceA();
            Process child = bed.start(bed.javaInA(NetlinkChangesMain.class.getName(), List.of()));
            try {
                NetnsTestBed.awaitLine(child, "OPEN", WAIT);
                // The link-local IPv6 address finishes duplicate address detection on its own (a change): wait
                // for it (bounded), then drain what it reported.
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!bed.execIn(ns, "ip", "-6", "addr", "show", "tentative").isBlank()) {
                    if (System.nanoTime() > deadline) throw new AssertionError("IPv6 addresses still tentative");
                    Thread.onSpinWait();
                }
                check(child);
                assertEquals("CHANGED false", check(child), "nothing changed");
                bed.execIn(ns, "ip", "route", "add", "198.51.100.0/24", "dev", dev);
                assertEquals("CHANGED true", check(child), "a route was added");
                assertEquals("CHANGED false", check(child), "reported once");
                bed.execIn(ns, "ip", "neigh", "replace", "10.77." + bed.subnet() + ".9", "lladdr",
                        "02:00:00:00:00:09", "dev", dev);
                assertEquals("CHANGED true", check(child), "a neighbour was added");
                assertEquals("CHANGED false", check(child));
                bed.execIn(ns, "ip", "link", "set", dev, "mtu", "1400");
                assertEquals("CHANGED true", check(child), "the link's MTU changed");
                assertEquals("CHANGED false", check(child));
                bed.execIn(ns, "ip", "addr", "add", "10.77." + bed.subnet() + ".77/32", "dev", dev);
                assertEquals("CHANGED true", check(child), "an address was added");
                assertEquals("CHANGED false", check(child));
                bed.execIn(ns, "ip", "route", "del", "198.51.100.0/24", "dev", dev);
                assertEquals("CHANGED true", check(child), "a route was removed");
            } finally {
                child.getOutputStream().close();
                child.destroy();
                child.waitFor();
            }
        }
    }
}
