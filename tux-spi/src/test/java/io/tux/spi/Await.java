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
     * Waits until {@code t} is blocked inside one of the channel or selector operations named by {@code methods}
     * (e.g. "read", "accept", "select"): a frame of that name on its stack, and the thread either in a native
     * method (a platform thread in a system call) or parked (a virtual thread, or a transport that parks).
     * Independent of the provider's classes, so it holds for the JDK's channels, ours, and a Tux transport.
     */
    static void blockedIn(Thread t, String... methods) {
        until(() -> {
            if (!t.isAlive()) {
                throw new AssertionError(t + " ended before it blocked");
            }
            StackTraceElement[] stack = t.getStackTrace();
            if (stack.length == 0) {
                return false;
            }
            Thread.State state = t.getState();
            boolean waiting = stack[0].isNativeMethod() || state == Thread.State.WAITING
                    || state == Thread.State.TIMED_WAITING;
            if (!waiting) {
                return false;
            }
            for (StackTraceElement e : stack) {
                for (String m : methods) {
                    if (e.getMethodName().equals(m)) {
                        return true;
                    }
                }
            }
            return false;
        }, t + " to block in " + String.join("/", methods));
    }
}
