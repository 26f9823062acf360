package io.tux.xdp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.xdp.support.ChildJvm;
import io.tux.xdp.support.Root;
import io.tux.xdp.testbed.NetnsRequirement;
import io.tux.xdp.testbed.NetnsTestBed;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * As root, in a {@link NetnsTestBed}: the AF_XDP stack resolves the route to a peer once, answers later opens to
 * it from its route cache, and resolves again after the namespace's neighbour table changed.
 */
class RouteCacheStackTest {

    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    /** {misses, hits, invalidations} from an {@code OPENED} line. */
    private static long[] open(ChildJvm child) throws Exception {
        child.tell("open");
        String line = child.awaitAnyLine(60, "OPENED", "UNAVAILABLE");
        assertTrue(line.startsWith("OPENED "), line);
        return Arrays.stream(line.substring(7).split(" ")).mapToLong(Long::parseLong).toArray();
    }

    @Test
    void laterOpensToAPeerUseTheCachedRouteUntilTheNeighbourChanges() throws Exception {
        NetnsRequirement.require();
        Root.require();
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            String a = bed.addressA().getHostAddress();
            String b = bed.addressB().getHostAddress();
            // Quiet tables: B's MAC pinned in A (no neighbour state changes), IPv6 address detection finished.
            Matcher m = MAC.matcher(bed.execIn(bed.nsB(), "ip", "-o", "link", "show", "dev", bed.ifaceB()));
            assertTrue(m.find());
            bed.execIn(bed.nsA(), "ip", "neigh", "replace", b, "lladdr", m.group(1), "dev", bed.ifaceA(), "nud",
                    "permanent");
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!bed.execIn(bed.nsA(), "ip", "-6", "addr", "show", "tentative").isBlank()) {
                if (System.nanoTime() > deadline) throw new AssertionError("IPv6 addresses still tentative");
                Thread.onSpinWait();
            }
            try (ChildJvm child = ChildJvm.startTuned(bed.nsA(), List.of("-Xmx256m"), RouteCacheStackMain.class, a, b)) {
                assertEquals("READY true", child.awaitAnyLine(60, "READY"));
                open(child); // makes the link and attaches the program (which the watch may see as a link change)
                long[] first = open(child);
                assertEquals(first[0], open(child)[0], "no resolution");
                long[] third = open(child);
                assertEquals(first[0], third[0]);
                assertEquals(first[1] + 2, third[1], "two opens from the cache");
                assertEquals(first[2], third[2]);

                bed.execIn(bed.nsA(), "ip", "neigh", "replace", b, "lladdr", "02:00:00:00:00:0b", "dev", bed.ifaceA());
                long[] after = open(child);
                assertEquals(third[0] + 1, after[0], "resolved again after the neighbour changed");
                assertEquals(third[2] + 1, after[2], "the cache was dropped");
                assertEquals(third[1], after[1]);
            }
        }
    }
}
