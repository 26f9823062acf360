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

    /**
     * The operations whose readiness comes from {@link #kernelSelectable()} while {@link #readiness()} gives the
     * others: all of them for the kernel transport, none for a fully polled one, some while a Tux connection is
     * being cut over direction by direction.
     */
    default int kernelOps() {
        return readiness() == null ? Transport.KERNEL_ALL : 0;
    }

    /** The keys that Tux selectors created for this channel. */
    Registrations registrations();
}
