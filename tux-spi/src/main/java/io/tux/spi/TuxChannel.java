package io.tux.spi;

import java.nio.channels.SelectableChannel;

/**
 * What a {@link TuxSelector} needs of a channel of ours: the kernel channel to register in its inner (JDK)
 * selector, or a {@link TuxReadiness} to poll, and the list of the channel's keys.
 *
 * <p>Threading: both methods may be called from any thread; they read volatile state.
 */
interface TuxChannel {

    /** The JDK channel whose readiness stands for this channel's now, or null when {@link #readiness()} does. */
    SelectableChannel kernelSelectable();

    /** The polled readiness source when the transport is not the kernel, else null. */
    TuxReadiness readiness();

    /** The keys that Tux selectors created for this channel. */
    Registrations registrations();
}
