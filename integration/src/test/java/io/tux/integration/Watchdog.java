package io.tux.integration;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Bounds a child JVM's life: after the deadline it prints {@code TIMEOUT} and every thread's stack, then halts with
 * exit code 3, so that a hang is reported with evidence instead of blocking the suite.
 *
 * <p>Threading: one daemon thread per child.
 */
final class Watchdog {
    private Watchdog() {
    }

    static void start(long seconds) {
        Thread t = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(left);
            }
            StringBuilder sb = new StringBuilder("TIMEOUT after " + seconds + " s\n");
            for (ThreadInfo ti : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
                sb.append(ti);
            }
            System.out.println(sb);
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }, "integration-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
