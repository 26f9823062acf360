package io.tux.spi;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Bounded waiting for a condition in tests: polls, fails after a deadline, never sleeps as synchronisation. */
final class Await {

    static final long DEFAULT_SECONDS = 20;

    private Await() {
    }

    static void until(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEFAULT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + DEFAULT_SECONDS + " s waiting for " + what);
            }
            LockSupport.parkNanos(200_000);
        }
    }

    /**
     * Waits until {@code t} is blocked inside a JDK channel operation: a frame of {@code sun.nio.ch} whose method
     * is one of {@code methods} (native read/accept/connect for platform threads, park for virtual threads).
     */
    static void blockedIn(Thread t, String... methods) {
        until(() -> {
            if (!t.isAlive()) {
                throw new AssertionError(t + " ended before it blocked");
            }
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getClassName().startsWith("sun.nio.ch.")) {
                    for (String m : methods) {
                        if (e.getMethodName().equals(m)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }, t + " to block in " + String.join("/", methods));
    }
}
