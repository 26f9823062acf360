package io.tux.spi;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import io.tux.core.stack.TuxStack;
import io.tux.core.stack.TuxUnavailableException;

/**
 * What every {@link TuxSelectorProvider} of one JVM shares: the configuration, the platform provider, whether Tux
 * can run and why not, the counters, the once-only log lines, the MBean and the exit summary.
 *
 * <p>Construction does no logging, no JMX and no I/O (it runs inside {@code SelectorProvider.provider()}'s class
 * initialisation, where anything that touches NIO would recurse); {@link #announce()} logs the status the first
 * time a provider opens something.
 *
 * <p>Threading: immutable fields plus {@link AtomicBoolean} once-flags; safe from any thread.
 */
final class TuxRuntime {

    /** The MBean's name. */
    static final String MBEAN_NAME = "io.tux:type=Tux";

    private static final class Global {
        static final TuxRuntime INSTANCE = createGlobal();
    }

    final TuxConfig config;
    final PlatformProvider.Result platform;
    final TuxStats stats = new TuxStats();
    /** Peers whose handshake went unanswered: later connections to them skip it ({@code tux.peerCacheMillis}). */
    final PeerCache peers;
    /** The clock of handshake ages and of {@link #peers} ({@link System#nanoTime} but in tests). */
    final LongSupplier clock;
    /** Why connections cannot go on Tux in this JVM; null when they can. */
    final FallbackReason reason;
    /** An exception describing {@link #reason}, like Netty's Epoll.unavailabilityCause(); null when available. */
    final Throwable cause;
    private final boolean global;
    private final AtomicBoolean announced = new AtomicBoolean();
    private final AtomicBoolean mbeanTried = new AtomicBoolean();
    /** Written once under {@code this} lock by the first connection, read by any thread (volatile). */
    private volatile TuxStack stack;
    /** Written once under {@code this} lock when creating the stack failed. */
    private volatile TuxUnavailableException stackFailure;

    TuxRuntime(TuxConfig config, PlatformProvider.Result platform, boolean global) {
        this(config, platform, global, System::nanoTime);
    }

    /** As the other constructor, with {@code clock} instead of {@link System#nanoTime} (tests). */
    TuxRuntime(TuxConfig config, PlatformProvider.Result platform, boolean global, LongSupplier clock) {
        this.clock = clock;
        this.peers = new PeerCache(TimeUnit.MILLISECONDS.toNanos(config.peerCacheMillis()),
                PeerCache.DEFAULT_CAPACITY, clock);
        this.config = config;
        this.platform = platform;
        this.global = global;
        if (!platform.found()) {
            reason = FallbackReason.PLATFORM_UNREACHABLE;
            cause = platform.failure();
        } else if (!config.problems().isEmpty()) {
            reason = FallbackReason.CONFIG_INVALID;
            cause = new IllegalArgumentException(config.problemText());
        } else if (!config.enabled()) {
            reason = FallbackReason.DISABLED;
            cause = new IllegalStateException("Tux is disabled by " + TuxConfig.ENABLED + "=false");
        } else if (!StackFactory.inBuild(config.stack())) {
            reason = FallbackReason.NOT_IMPLEMENTED;
            cause = new UnsupportedOperationException(
                    "the Tux transport is not implemented in this build: connections run on kernel TCP");
        } else {
            TuxUnavailableException why = StackFactory.probe(config);
            reason = why == null ? null : FallbackReasons.of(why.reason());
            cause = why;
        }
    }

    /**
     * The stack that carries this JVM's Tux connections, made on first use; null when Tux is not available here
     * (then {@link #reason} says why). Never throws.
     */
    TuxStack stack() {
        TuxStack s = stack;
        if (s != null || cause != null) {
            return s;
        }
        // The MBean is otherwise registered when the first connection's outcome is counted, which for a Tux
        // connection happens on a network thread: the platform MBean server's start-up (tens of ms, JFR) would stall
        // every connection of that thread. Register it here, once, on the application's thread.
        ensureMBean();
        synchronized (this) {
            if (stack == null && stackFailure == null) {
                try {
                    stack = StackFactory.create(config);
                } catch (TuxUnavailableException e) {
                    stackFailure = e;
                } catch (Throwable t) {
                    stackFailure = new TuxUnavailableException(TuxUnavailableException.Reason.OTHER, t.toString(), t);
                }
                if (stackFailure != null && config.log() != TuxConfig.LogLevel.OFF) {
                    try {
                        System.getLogger("io.tux").log(Level.WARNING,
                                "Tux: connections run on kernel TCP: " + stackFailure.getMessage());
                    } catch (Throwable ignored) {
                        // logging must never break the program
                    }
                }
            }
            return stack;
        }
    }

    /** Why {@link #stack()} returned null although the probe passed; null otherwise. */
    TuxUnavailableException stackFailure() {
        return stackFailure;
    }

    static TuxRuntime global() {
        return Global.INSTANCE;
    }

    private static TuxRuntime createGlobal() {
        TuxRuntime rt = new TuxRuntime(TuxConfig.fromSystemProperties(), PlatformProvider.find(), true);
        if (rt.config.summaryAtExit()) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(rt::printSummary, "tux-summary"));
            } catch (Throwable ignored) {
                // the JVM is already shutting down, or hooks are not allowed: no summary
            }
        }
        return rt;
    }

    /**
     * True when the provider hands out the platform's own objects unchanged: Tux is switched off (by property or
     * by a malformed property), so nothing of ours sits on the data path.
     */
    boolean passThrough() {
        return reason == FallbackReason.DISABLED || reason == FallbackReason.CONFIG_INVALID;
    }

    boolean available() {
        return cause == null;
    }

    /** Logs, once per runtime, whether connections will use Tux and, if not, why. Never throws. */
    void announce() {
        if (config.log() == TuxConfig.LogLevel.OFF || announced.get() || !announced.compareAndSet(false, true)) {
            return;
        }
        try {
            System.Logger log = System.getLogger("io.tux");
            if (reason == null) {
                log.log(Level.INFO, "Tux: enabled (" + TuxConfig.STACK + "=" + config.stack().name().toLowerCase(
                        java.util.Locale.ROOT) + "); connections move to Tux when the peer runs it too");
                return;
            }
            switch (reason) {
                case PLATFORM_UNREACHABLE -> log.log(Level.ERROR,
                        "Tux: NIO channels cannot be opened, the platform's SelectorProvider is unreachable", cause);
                case CONFIG_INVALID -> log.log(Level.WARNING,
                        "Tux disabled, connections use the platform's NIO provider unchanged: "
                                + config.problemText());
                case DISABLED -> log.log(Level.INFO,
                        "Tux disabled (" + TuxConfig.ENABLED + "=false), connections use the platform's NIO provider"
                                + " unchanged");
                default -> log.log(Level.INFO, "Tux: connections run on kernel TCP (" + reason + ": "
                        + cause.getMessage() + ")");
            }
        } catch (Throwable ignored) {
            // logging must never break the program
        }
    }

    /** Logs one line per connection at debug level. */
    void debug(String message) {
        if (config.log() != TuxConfig.LogLevel.DEBUG) {
            return;
        }
        try {
            System.getLogger("io.tux").log(Level.INFO, message);
        } catch (Throwable ignored) {
            // logging must never break the program
        }
    }

    /** Called once per connection when connect finished or accept returned it. */
    void established(ConnectionMode mode, FallbackReason why) {
        stats.established(mode, why);
        ensureMBean();
    }

    /** Registers {@code io.tux:type=Tux} the first time; never throws (failures leave the MBean out). */
    void ensureMBean() {
        if (!global || mbeanTried.get() || !mbeanTried.compareAndSet(false, true)) {
            return;
        }
        try {
            // a class of its own, so that a JVM without the java.management module never links against it
            TuxJmx.register(new MBean(this), MBEAN_NAME);
        } catch (Throwable t) {
            if (config.log() != TuxConfig.LogLevel.OFF) {
                try {
                    System.getLogger("io.tux").log(Level.INFO, "Tux: MBean " + MBEAN_NAME + " not registered: " + t);
                } catch (Throwable ignored) {
                    // logging must never break the program
                }
            }
        }
    }

    void printSummary() {
        try {
            System.err.println(summaryLine());
        } catch (Throwable ignored) {
            // at exit, nothing to do about it
        }
    }

    String summaryLine() {
        String engines = new MBean(this).getEngineCounters();
        return "Tux summary: " + stats.summary() + (available() ? "" : "; Tux unavailable: " + reason)
                + (engines.isEmpty() ? "" : "; engine " + engines);
    }

    /** The MBean over this runtime's counters. */
    static final class MBean implements TuxMXBean {
        private final TuxRuntime rt;

        MBean(TuxRuntime rt) {
            this.rt = rt;
        }

        @Override
        public long getConnectionsOpened() {
            return rt.stats.connectionsOpened.sum();
        }

        @Override
        public long getConnectionsOnTux() {
            return rt.stats.connectionsOnTux.sum();
        }

        @Override
        public long getConnectionsOnKernel() {
            return rt.stats.onKernel();
        }

        @Override
        public Map<String, Long> getConnectionsOnKernelByReason() {
            return rt.stats.onKernelByReason();
        }

        @Override
        public long getBytesReadOnKernel() {
            return rt.stats.bytesReadKernel.sum();
        }

        @Override
        public long getBytesWrittenOnKernel() {
            return rt.stats.bytesWrittenKernel.sum();
        }

        @Override
        public long getBytesReadOnTux() {
            return rt.stats.bytesReadTux.sum();
        }

        @Override
        public long getBytesWrittenOnTux() {
            return rt.stats.bytesWrittenTux.sum();
        }

        @Override
        public long getControlPeersGone() {
            return rt.stats.controlPeersGone.sum();
        }

        @Override
        public long getControlViolations() {
            return rt.stats.controlViolations.sum();
        }

        @Override
        public boolean isAvailable() {
            return rt.available();
        }

        @Override
        public String getUnavailabilityReason() {
            return rt.available() ? "" : rt.reason + ": " + rt.cause.getMessage();
        }

        @Override
        public String getConfiguration() {
            return rt.config.toString();
        }

        @Override
        public String getEngineCounters() {
            TuxStack s = rt.stack;
            return s == null ? "" : s.counters();
        }

        @Override
        public String getLinks() {
            TuxStack s = rt.stack;
            return s == null ? "" : s.describe();
        }
    }
}
