package io.tux.spi;

import java.nio.channels.Channel;
import java.nio.channels.spi.SelectorProvider;

/**
 * What a program (or an operator) can ask about Tux in this JVM: whether it can run, why not, and which
 * transport a given connection uses. Modelled on Netty's {@code Epoll.isAvailable()/unavailabilityCause()}.
 *
 * <p>Threading: every method may be called from any thread.
 */
public final class Tux {

    private Tux() {
    }

    /** True when connections opened through {@link TuxSelectorProvider} can move onto Tux. */
    public static boolean isAvailable() {
        return TuxRuntime.global().available();
    }

    /** Why Tux cannot run, as an exception whose message says it; null when {@link #isAvailable()}. */
    public static Throwable unavailabilityCause() {
        return TuxRuntime.global().cause;
    }

    /** The reason connections stay on kernel TCP, or null when {@link #isAvailable()}. */
    public static FallbackReason unavailabilityReason() {
        TuxRuntime rt = TuxRuntime.global();
        return rt.available() ? null : rt.reason;
    }

    /**
     * Throws when Tux cannot run.
     *
     * @throws IllegalStateException with {@link #unavailabilityCause()} as its cause
     */
    public static void ensureAvailability() {
        Throwable cause = unavailabilityCause();
        if (cause != null) {
            throw new IllegalStateException("Tux is not available: " + cause.getMessage(), cause);
        }
    }

    /** True when {@code SelectorProvider.provider()} is a {@link TuxSelectorProvider}. */
    public static boolean isInstalled() {
        return SelectorProvider.provider() instanceof TuxSelectorProvider;
    }

    /** The transport of a Tux socket channel, or null for any other channel (e.g. a pass-through JDK channel). */
    public static ConnectionMode mode(Channel channel) {
        return channel instanceof TuxSocketChannel t ? t.mode() : null;
    }

    /** Why a Tux socket channel runs on kernel TCP; null when it runs on Tux or is not a Tux socket channel. */
    public static FallbackReason fallbackReason(Channel channel) {
        return channel instanceof TuxSocketChannel t ? t.fallbackReason() : null;
    }

    /** The JVM-wide counters (the same object the MBean {@code io.tux:type=Tux} shows). */
    public static TuxMXBean counters() {
        return new TuxRuntime.MBean(TuxRuntime.global());
    }
}
