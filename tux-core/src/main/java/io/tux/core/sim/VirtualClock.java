package io.tux.core.sim;

import io.tux.core.engine.NanoClock;

/** A clock that moves only when told: simulations run deterministically and skip idle time. Single thread. */
public final class VirtualClock implements NanoClock {
    private long now;

    public VirtualClock(long start) { this.now = start; }

    @Override
    public long nanoTime() { return now; }

    public void advanceTo(long t) {
        if (t > now) now = t;
    }

    public void advance(long nanos) { now += nanos; }
}
