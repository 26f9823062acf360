package io.tux.core.engine;

/** The engine's time source: {@link #SYSTEM} in production, a virtual clock in deterministic simulations. */
@FunctionalInterface
public interface NanoClock {
    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
