package io.tux.core.engine;

import java.util.concurrent.TimeUnit;

/**
 * The engine's tunables. Every value is checked when built; an invalid one is an
 * {@link IllegalArgumentException} that names the setting and the allowed range.
 *
 * @param window              packets in flight per direction and the receiver's reorder slots; a power of two
 * @param sendBufferBytes     bytes an application may have written and not yet had acknowledged; a power of two
 * @param receiveBufferBytes  bytes delivered and not yet read by the application; a power of two
 * @param initialRtoNanos     retransmission timeout before any round trip was measured
 * @param minRtoNanos         lower bound of the retransmission timeout
 * @param maxRtoNanos         upper bound of the retransmission timeout (after backoff)
 * @param maxRetransmits      consecutive timeouts after which the peer is declared gone
 * @param handshakeTimeoutNanos how long the data-path handshake waits for the peer's first handshake packet
 *                              before it fails (a peer that answered is never given up on)
 * @param lingerNanos         how long a connection the application closed waits for the peer's FIN once its own was
 *                            acknowledged, before it is dropped (TCP's FIN_WAIT_2); a connection whose both
 *                            directions ended is dropped at once, freeing its buffers
 * @param rxBatch             packets taken from the link per poll (read-path batching)
 */
public record EngineConfig(int window, int sendBufferBytes, int receiveBufferBytes,
                           long initialRtoNanos, long minRtoNanos, long maxRtoNanos, int maxRetransmits,
                           long handshakeTimeoutNanos, long lingerNanos, int rxBatch) {

    public static final EngineConfig DEFAULT = new EngineConfig(256, 1 << 18, 1 << 18,
            TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.MILLISECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(1), 15,
            TimeUnit.SECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(200), 64);

    public EngineConfig {
        powerOfTwo("window", window, 4, 1 << 15);
        powerOfTwo("sendBufferBytes", sendBufferBytes, 1 << 12, 1 << 30);
        powerOfTwo("receiveBufferBytes", receiveBufferBytes, 1 << 12, 1 << 30);
        positive("initialRtoNanos", initialRtoNanos);
        positive("minRtoNanos", minRtoNanos);
        positive("maxRtoNanos", maxRtoNanos);
        if (minRtoNanos > maxRtoNanos) {
            throw new IllegalArgumentException("minRtoNanos (" + minRtoNanos + ") must not exceed maxRtoNanos (" + maxRtoNanos + ")");
        }
        positive("maxRetransmits", maxRetransmits);
        positive("handshakeTimeoutNanos", handshakeTimeoutNanos);
        positive("lingerNanos", lingerNanos);
        if (rxBatch < 1 || rxBatch > 4096) throw new IllegalArgumentException("rxBatch must be in 1..4096: " + rxBatch);
    }

    public EngineConfig withWindow(int w) {
        return new EngineConfig(w, sendBufferBytes, receiveBufferBytes, initialRtoNanos, minRtoNanos, maxRtoNanos,
                maxRetransmits, handshakeTimeoutNanos, lingerNanos, rxBatch);
    }

    public EngineConfig withBuffers(int send, int receive) {
        return new EngineConfig(window, send, receive, initialRtoNanos, minRtoNanos, maxRtoNanos,
                maxRetransmits, handshakeTimeoutNanos, lingerNanos, rxBatch);
    }

    public EngineConfig withHandshakeTimeoutNanos(long t) {
        return new EngineConfig(window, sendBufferBytes, receiveBufferBytes, initialRtoNanos, minRtoNanos, maxRtoNanos,
                maxRetransmits, t, lingerNanos, rxBatch);
    }

    public EngineConfig withRto(long initial, long min, long max, int retransmits) {
        return new EngineConfig(window, sendBufferBytes, receiveBufferBytes, initial, min, max,
                retransmits, handshakeTimeoutNanos, lingerNanos, rxBatch);
    }

    /**
     * For stress tests on links that lose up to 30% in each direction: a retransmission and its ACK both
     * survive only about half the time there, so the peer is declared gone only after 40 timeouts in a row.
     */
    public EngineConfig forHeavyLoss() {
        return withRto(initialRtoNanos, minRtoNanos, maxRtoNanos, 40);
    }

    private static void powerOfTwo(String name, int v, int min, int max) {
        if (v < min || v > max || Integer.bitCount(v) != 1) {
            throw new IllegalArgumentException(name + " must be a power of two in " + min + ".." + max + ": " + v);
        }
    }

    private static void positive(String name, long v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive: " + v);
    }
}
