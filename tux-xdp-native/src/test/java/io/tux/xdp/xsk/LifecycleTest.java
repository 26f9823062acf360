package io.tux.xdp.xsk;

import io.tux.xdp.link.AfXdpLink;
import io.tux.xdp.support.ChildJvm;
import io.tux.xdp.support.LinkHolder;
import io.tux.xdp.support.Net;
import io.tux.xdp.support.Root;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * As root, with child JVMs holding links on a veth pair the test created: the program leaves with a process
 * that exits, stays after kill -9 and is then replaced by the next process; a queue or interface held by a
 * live process is reported busy, not taken.
 */
class LifecycleTest {

    private static int ifindex(String name) {
        try (Arena a = Arena.ofConfined()) {
            return io.tux.xdp.ffi.LibC.if_nametoindex(a.allocateFrom(name));
        }
    }

    /**
     * The kernel frees a dead process's AF_XDP socket from a work queue, so its queue can stay busy for a
     * moment after the process is gone: retry QUEUE_BUSY for up to 10 s.
     */
    private static AfXdpLink openWhenQueueReleased(String ifname) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return AfXdpLink.open(ifname, 0);
            } catch (XdpUnavailableException e) {
                if (e.reason() != XdpUnavailableException.Reason.QUEUE_BUSY || System.nanoTime() > deadline) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // back-off between attempts, not a wait for a result
            }
        }
    }

    @Test
    void programFollowsTheProcessesThatUseIt() throws Exception {
        Root.require();
        try (Net.Veth v = Net.Veth.rootPair(2)) {
            int ifA = ifindex(v.a());
            assertTrue(ifA > 0);

            // A process that exits normally takes the program with it (shutdown hook).
            try (ChildJvm child = ChildJvm.start(null, LinkHolder.class, v.a(), "0")) {
                assertEquals("ATTACHED GENERIC", child.awaitLine("ATTACHED", 60)); // veth: generic unless forced (XdpProgram.preferredMode)
                assertEquals(XdpProgram.PROGRAM_NAME, XdpProgram.attachedProgramName(ifA));
                // Its queue is busy for us; its program on the interface too (live owner), on another queue.
                XdpUnavailableException busy = assertThrows(XdpUnavailableException.class, () -> AfXdpLink.open(v.a(), 0));
                assertEquals(XdpUnavailableException.Reason.QUEUE_BUSY, busy.reason(), busy.getMessage());
                XdpUnavailableException owned = assertThrows(XdpUnavailableException.class, () -> AfXdpLink.open(v.a(), 1));
                assertEquals(XdpUnavailableException.Reason.INTERFACE_BUSY, owned.reason(), owned.getMessage());
                assertTrue(owned.getMessage().contains("live process " + child.pid()), owned.getMessage());
                child.tell("exit");
                assertEquals(0, child.awaitExit(30));
            }
            assertNull(XdpProgram.attachedProgramName(ifA), "detached by the exiting process");

            // kill -9 leaves the program attached ...
            try (ChildJvm child = ChildJvm.start(null, LinkHolder.class, v.a(), "0")) {
                assertEquals("ATTACHED GENERIC", child.awaitLine("ATTACHED", 60)); // veth: generic unless forced (XdpProgram.preferredMode)
                child.kill9();
            }
            assertEquals(XdpProgram.PROGRAM_NAME, XdpProgram.attachedProgramName(ifA), "left behind by kill -9");

            // ... and the next process recognises it as stale and replaces it.
            try (ChildJvm child = ChildJvm.start(null, LinkHolder.class, v.a(), "0")) {
                assertEquals("ATTACHED GENERIC", child.awaitLine("ATTACHED", 60)); // veth: generic unless forced (XdpProgram.preferredMode)
                child.tell("exit");
                assertEquals(0, child.awaitExit(30));
            }
            assertNull(XdpProgram.attachedProgramName(ifA), "detached after the restarted process exited");

            // The same recovery inside this JVM, with traffic afterwards.
            try (ChildJvm child = ChildJvm.start(null, LinkHolder.class, v.a(), "0")) {
                assertEquals("ATTACHED GENERIC", child.awaitLine("ATTACHED", 60)); // veth: generic unless forced (XdpProgram.preferredMode)
                child.kill9();
            }
            try (AfXdpLink link = openWhenQueueReleased(v.a())) {
                assertEquals(XdpProgram.PROGRAM_NAME, XdpProgram.attachedProgramName(ifA));
                assertEquals(XdpProgram.Mode.GENERIC, link.socket().mode());
            }
            assertNull(XdpProgram.attachedProgramName(ifA));
        }
    }

    /** A process without capabilities (root uid, empty capability sets) is told NO_PRIVILEGE and exits cleanly. */
    @Test
    void withoutCapabilitiesTheReasonIsNoPrivilege() throws Exception {
        Root.require();
        try (Net.Veth v = Net.Veth.rootPair();
                ChildJvm child = ChildJvm.startWith(java.util.List.of("setpriv", "--bounding-set", "-all",
                        "--inh-caps", "-all"), LinkHolder.class, v.a(), "0")) {
            String line = child.awaitLine("UNAVAILABLE", 60);
            assertTrue(line.startsWith("UNAVAILABLE NO_PRIVILEGE "), line);
            assertEquals(3, child.awaitExit(30));
            assertNull(XdpProgram.attachedProgramName(ifindex(v.a())));
        }
    }

    /** Any other XDP program on the interface is left alone and reported. */
    @Test
    void foreignProgramMakesTheInterfaceBusy() throws Exception {
        Root.require();
        try (Net.Veth v = Net.Veth.rootPair()) {
            // xdp-loader's or iproute2's own pass program would do; iproute2 can load our object under a section
            // name, but a foreign name is what matters: use bpftool-free "ip link ... xdp" with a tiny object.
            java.nio.file.Path obj = java.nio.file.Files.createTempFile("foreign", ".o");
            try {
                java.nio.file.Path src = java.nio.file.Files.createTempFile("foreign", ".c");
                java.nio.file.Files.writeString(src, "#include <linux/bpf.h>\n"
                        + "__attribute__((section(\"xdp\"), used)) int other_prog(struct xdp_md *c) { return XDP_PASS; }\n"
                        + "char _license[] __attribute__((section(\"license\"), used)) = \"GPL\";\n");
                Net.run("clang", "-target", "bpf", "-O2", "-I/usr/include/" + System.getProperty("os.arch").replace("amd64", "x86_64") + "-linux-gnu",
                        "-c", src.toString(), "-o", obj.toString());
                java.nio.file.Files.delete(src);
                Net.run("ip", "link", "set", "dev", v.a(), "xdpgeneric", "obj", obj.toString(), "sec", "xdp");
                XdpUnavailableException e = assertThrows(XdpUnavailableException.class, () -> AfXdpLink.open(v.a(), 0));
                assertEquals(XdpUnavailableException.Reason.INTERFACE_BUSY, e.reason(), e.getMessage());
                assertTrue(e.getMessage().contains("other_prog"), e.getMessage());
                assertEquals("other_prog", XdpProgram.attachedProgramName(ifindex(v.a())), "left in place");
            } finally {
                java.nio.file.Files.deleteIfExists(obj);
            }
        }
    }
}
