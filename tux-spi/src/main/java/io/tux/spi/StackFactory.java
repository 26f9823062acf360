package io.tux.spi;

import io.tux.core.engine.EngineConfig;
import io.tux.core.stack.LoopbackStack;
import io.tux.core.stack.TuxStack;
import io.tux.core.stack.TuxUnavailableException;
import java.util.concurrent.TimeUnit;

/** Makes the {@link TuxStack} that {@code tux.stack} asks for, and says beforehand whether it can run here. */
final class StackFactory {
    private StackFactory() {}

    /** Whether this build carries the stack at all (the AF_XDP stack is being integrated). */
    static boolean inBuild(TuxConfig.StackKind kind) {
        return kind == TuxConfig.StackKind.LOOPBACK;
    }

    /** Null if the configured stack can run in this process, else why not. Cheap; never throws. */
    static TuxUnavailableException probe(TuxConfig config) {
        return switch (config.stack()) {
            case LOOPBACK -> null;
            case XDP -> new TuxUnavailableException(TuxUnavailableException.Reason.OTHER,
                    "the AF_XDP stack is not part of this build yet");
        };
    }

    static TuxStack create(TuxConfig config) throws TuxUnavailableException {
        EngineConfig engine = engineConfig(config);
        long budget = TimeUnit.MICROSECONDS.toNanos(config.pollBudgetMicros());
        return switch (config.stack()) {
            case LOOPBACK -> new LoopbackStack(engine, budget);
            case XDP -> throw probe(config);
        };
    }

    static EngineConfig engineConfig(TuxConfig config) {
        return EngineConfig.DEFAULT.withHandshakeTimeoutNanos(
                TimeUnit.MILLISECONDS.toNanos(config.handshakeTimeoutMillis()));
    }
}
