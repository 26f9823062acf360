package io.tux.spi;

import io.tux.core.engine.EngineConfig;
import io.tux.core.stack.LoopbackStack;
import io.tux.core.stack.TuxStack;
import io.tux.core.stack.TuxUnavailableException;
import io.tux.xdp.stack.AfXdpStack;
import io.tux.xdp.xsk.XdpProgram;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Makes the {@link TuxStack} that {@code tux.stack} asks for, and says beforehand whether it can run here. */
final class StackFactory {
    private StackFactory() {}

    /** Whether this build carries the stack at all. */
    static boolean inBuild(TuxConfig.StackKind kind) {
        return true;
    }

    /** Null if the configured stack can run in this process, else why not. Cheap; never throws. */
    static TuxUnavailableException probe(TuxConfig config) {
        return switch (config.stack()) {
            case LOOPBACK -> null;
            case XDP -> nativeAccess() ? AfXdpStack.probe() : new TuxUnavailableException(
                    TuxUnavailableException.Reason.NO_NATIVE_ACCESS, "the JVM runs without native access: start it "
                    + "with --enable-native-access=ALL-UNNAMED (bin/tux-java does), connections run on kernel TCP");
        };
    }

    /** Whether this code may call native methods without the JDK printing a warning. */
    static boolean nativeAccess() {
        return StackFactory.class.getModule().isNativeAccessEnabled();
    }

    static TuxStack create(TuxConfig config) throws TuxUnavailableException {
        TuxUnavailableException why = probe(config);
        if (why != null) throw why;
        EngineConfig engine = engineConfig(config);
        long budget = TimeUnit.MICROSECONDS.toNanos(config.pollBudgetMicros());
        return switch (config.stack()) {
            case LOOPBACK -> new LoopbackStack(engine, budget, config.engineThreads());
            case XDP -> new AfXdpStack(engine, budget, AfXdpStack.Options.DEFAULT
                    .withInterfaces(config.interfaces()).withForcedMode(forcedMode(config.xdpMode()))
                    .withIdleClose(idleClose(config.linkIdleMillis())));
        };
    }

    /** {@code tux.xdpMode} as the AF_XDP stack's option: null lets the stack choose per device. */
    static XdpProgram.Mode forcedMode(TuxConfig.XdpMode mode) {
        return switch (mode) {
            case AUTO -> null;
            case NATIVE -> XdpProgram.Mode.NATIVE;
            case GENERIC -> XdpProgram.Mode.GENERIC;
        };
    }

    /** {@code tux.linkIdleMillis} as the AF_XDP stack's option. */
    static AfXdpStack.IdleClose idleClose(int millis) {
        return switch (millis) {
            case TuxConfig.LINK_IDLE_AUTO -> new AfXdpStack.IdleClose(
                    Duration.ofMillis(TuxConfig.LINK_IDLE_AUTO_GENERIC_MILLIS), null);
            case TuxConfig.LINK_IDLE_NEVER -> AfXdpStack.IdleClose.NEVER;
            default -> AfXdpStack.IdleClose.after(Duration.ofMillis(millis));
        };
    }

    static EngineConfig engineConfig(TuxConfig config) {
        return EngineConfig.DEFAULT.withHandshakeTimeoutNanos(
                TimeUnit.MILLISECONDS.toNanos(config.handshakeTimeoutMillis()));
    }
}
