package io.tux.spi;

import java.util.Arrays;

/**
 * The {@link TuxSelectionKey}s of one channel (one per selector it is registered with), so the channel can tell
 * their selectors that its transport changed, signal them, and cancel the JDK keys under them.
 *
 * <p>Threading: {@link #add}/{@link #remove} run under this object's lock (registration and deregistration are
 * rare); readers take the volatile array without a lock and never allocate (the signalling hot path).
 */
final class Registrations {

    private static final TuxSelectionKey[] NONE = new TuxSelectionKey[0];

    /** Written under {@code this} lock by registering/deregistering threads, read by anyone (copy-on-write). */
    private volatile TuxSelectionKey[] keys = NONE;

    synchronized void add(TuxSelectionKey k) {
        TuxSelectionKey[] a = Arrays.copyOf(keys, keys.length + 1);
        a[a.length - 1] = k;
        keys = a;
    }

    synchronized void remove(TuxSelectionKey k) {
        TuxSelectionKey[] a = keys;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == k) {
                TuxSelectionKey[] b = new TuxSelectionKey[a.length - 1];
                System.arraycopy(a, 0, b, 0, i);
                System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                keys = b;
                return;
            }
        }
    }

    /**
     * Cancels the JDK keys under our cancelled keys, so that the kernel channel may go back to blocking mode at
     * once, as a JDK channel may after {@code key.cancel()} (the JDK checks only key validity, not deregistration).
     */
    void cancelInnerKeysOfCancelled() {
        for (TuxSelectionKey k : keys) {
            if (!k.isValid()) {
                k.cancelInner();
            }
        }
    }

    /** Tells every selector that the channel's readiness source changed (kernel to Tux or back). */
    void transportChanged() {
        for (TuxSelectionKey k : keys) {
            if (k.isValid()) {
                k.tuxSelector().rehome(k);
            }
        }
    }

    /** Wakes every selector the channel is registered with to poll its readiness again; allocates nothing. */
    void signal() {
        for (TuxSelectionKey k : keys) {
            k.tuxSelector().signal();
        }
    }

    int size() {
        return keys.length;
    }
}
