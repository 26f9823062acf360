package io.tux.core.engine;

import java.io.IOException;

/** A connection failed; {@link #state()} says how (reset, timed out, aborted, handshake failed). */
public final class TuxConnectionException extends IOException {
    private final ConnectionState state;

    public TuxConnectionException(ConnectionState state, String message) {
        super(message);
        this.state = state;
    }

    public ConnectionState state() { return state; }
}
