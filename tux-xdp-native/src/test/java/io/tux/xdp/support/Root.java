package io.tux.xdp.support;

import io.tux.xdp.ffi.LibBpf;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Gate for tests that need root, AF_XDP and libbpf: fail when CI=true and they cannot run, else skip. */
public final class Root {

    private Root() {}

    public static void require() {
        String why = missing();
        if (why == null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail("CI=true but this test cannot run: " + why);
        }
        Assumptions.abort("skipped: " + why);
    }

    /** Fails (CI=true) or skips the test because the environment cannot host it: {@code why}. */
    public static void unavailable(String why) {
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail("CI=true but this test cannot run: " + why);
        }
        Assumptions.abort("skipped: " + why);
    }

    private static String missing() {
        try {
            String status = Files.readString(Path.of("/proc/self/status"));
            if (!status.lines().anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"))) {
                return "not running as root (needs CAP_NET_ADMIN, CAP_BPF)";
            }
        } catch (IOException e) {
            return "cannot read /proc/self/status: " + e;
        }
        if (!LibBpf.isAvailable()) {
            return "libbpf.so.1 not loadable: " + LibBpf.loadFailure();
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            return "iproute2 (ip) not installed";
        }
        return null;
    }
}
