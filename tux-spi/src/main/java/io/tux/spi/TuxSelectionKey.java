package io.tux.spi;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;

/**
 * The key of one channel in one {@link TuxSelector}, with the JDK's semantics: interest and ready sets, checks
 * that throw {@link CancelledKeyException} once cancelled. Under it sits either a key of the selector's inner JDK
 * selector (kernel transport) or nothing (polled {@link TuxReadiness}).
 *
 * <p>Threading: see the fields.
 */
final class TuxSelectionKey extends AbstractSelectionKey {

    private final SelectableChannel channel;
    private final TuxChannel tuxChannel;
    private final TuxSelector selector;

    /** Written by any thread in {@link #interestOps(int)} (under {@code this}), read by the selecting thread. */
    private volatile int interestOps;
    /** Written by the selecting thread during a selection, read by any thread. */
    private volatile int readyOps;
    /**
     * The inner JDK key; written by the registering thread and by the selecting thread (rehoming, both ordered
     * by the registration happening before the key is visible to the selector), read by any thread.
     */
    private volatile SelectionKey inner;

    TuxSelectionKey(SelectableChannel channel, TuxChannel tuxChannel, TuxSelector selector, int ops) {
        this.channel = channel;
        this.tuxChannel = tuxChannel;
        this.selector = selector;
        this.interestOps = ops;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    TuxSelector tuxSelector() {
        return selector;
    }

    TuxChannel tuxChannel() {
        return tuxChannel;
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    @Override
    public SelectionKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops: " + ops);
        }
        synchronized (this) {
            interestOps = ops;
            SelectionKey in = inner;
            if (in != null) {
                try {
                    in.interestOps(ops & tuxChannel.kernelOps());
                } catch (CancelledKeyException e) {
                    // the kernel channel closed under us (its close cancels our key too) or moved away: this
                    // key's own validity is what the caller sees
                }
            }
        }
        return this;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    int interestOpsRaw() {
        return interestOps;
    }

    int readyOpsRaw() {
        return readyOps;
    }

    void setReadyOps(int ops) {
        readyOps = ops;
    }

    SelectionKey inner() {
        return inner;
    }

    void setInner(SelectionKey k) {
        inner = k;
    }

    void cancelInner() {
        SelectionKey in = inner;
        if (in != null) {
            in.cancel();
        }
    }

    @Override
    public String toString() {
        if (!isValid()) {
            return "TuxSelectionKey[channel=" + channel + ", selector=" + selector + ", invalid]";
        }
        return "TuxSelectionKey[channel=" + channel + ", selector=" + selector + ", interestOps=" + interestOps
                + ", readyOps=" + readyOps + "]";
    }
}
