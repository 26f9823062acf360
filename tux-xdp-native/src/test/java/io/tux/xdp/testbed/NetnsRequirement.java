package io.tux.xdp.testbed;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * The rule for tests that need root and network namespaces: when they cannot run they FAIL if the environment
 * variable CI is "true", and are skipped with the reason otherwise.
 */
public final class NetnsRequirement {

    private NetnsRequirement() {
    }

    /** Returns if {@link NetnsTestBed#available()}; otherwise fails (CI=true) or aborts the test (skip). */
    public static void require() {
        String reason = NetnsTestBed.unavailableReason();
        if (reason == null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true but the network namespace test bed cannot run: " + reason);
        }
        Assumptions.abort("network namespace test bed unavailable: " + reason);
    }
}
