package io.tux.spi;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.SelectableChannel;

/**
 * What every wrapper of a JDK channel (pipe ends, datagram and server socket channels) does the same way. Stateless.
 */
final class KernelChannels {
    private KernelChannels() {}

    /**
     * After the JDK closed its channel by itself (an interrupt, a failed operation), closes the wrapper too, so that
     * the caller sees the JDK's behaviour: both closed before the exception reaches it.
     */
    static void closeIfClosedUnder(SelectableChannel jdk, Channel wrapper) {
        if (!jdk.isOpen() && wrapper.isOpen()) {
            try {
                wrapper.close();
            } catch (IOException ignored) {
                // the JDK channel is closed already
            }
        }
    }

    /**
     * The wrapper's implConfigureBlocking: to go blocking, the inner keys of its cancelled selection keys must go
     * first (a channel registered with a selector cannot block); then the JDK channel's mode.
     */
    static void configureBlocking(Registrations registrations, SelectableChannel jdk, boolean block)
            throws IOException {
        if (block) {
            registrations.cancelInnerKeysOfCancelled();
        }
        jdk.configureBlocking(block);
    }
}
