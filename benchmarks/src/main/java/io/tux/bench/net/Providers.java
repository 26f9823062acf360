package io.tux.bench.net;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.channels.spi.SelectorProvider;

/**
 * The providers a network benchmark compares, obtained as objects so that both run in one JVM and one JMH run:
 * {@code jdk} is the platform's own provider, {@code tux} is {@value #TUX_CLASS}. A benchmark case names the
 * provider of each end: {@code jdk} (JDK on both ends), {@code tux} (Tux on both ends), {@code tux-peer-jdk}
 * (Tux on the client, the JDK on the peer: the cost of fallback).
 *
 * <p>Nothing here falls back silently: if Tux is asked for and cannot be had, {@link #named} throws with the
 * reason, so a "tux" result is never the JDK measured twice.
 *
 * <p>Threading: safe from any thread; the Tux instance is made once, under the class lock.
 */
public final class Providers {
    /** The class of the Tux provider, loaded by name. */
    public static final String TUX_CLASS = "io.tux.spi.TuxSelectorProvider";
    /** The system property that installs a JVM-wide provider. */
    static final String GLOBAL_PROPERTY = "java.nio.channels.spi.SelectorProvider";

    private Providers() {}

    /** The provider the client (the benchmark's own end) uses in case {@code benchCase}. */
    public static String clientProviderName(String benchCase) {
        return switch (benchCase) {
            case "jdk" -> "jdk";
            case "tux", "tux-peer-jdk" -> "tux";
            default -> throw new IllegalArgumentException("unknown provider case '" + benchCase
                    + "' (expected jdk, tux or tux-peer-jdk)");
        };
    }

    /** The provider the peer (server) uses in case {@code benchCase}. */
    public static String peerProviderName(String benchCase) {
        return switch (benchCase) {
            case "jdk", "tux-peer-jdk" -> "jdk";
            case "tux" -> "tux";
            default -> throw new IllegalArgumentException("unknown provider case '" + benchCase
                    + "' (expected jdk, tux or tux-peer-jdk)");
        };
    }

    /**
     * The provider called {@code name}: {@code "jdk"} or {@code "tux"}.
     *
     * @throws IllegalStateException with the reason if it cannot be had as asked: the JVM-wide provider property
     *     is set (then {@link SelectorProvider#provider()} is not the JDK's), or the Tux class is missing, cannot
     *     be made, or reports that it hands out the platform's own channels
     */
    public static SelectorProvider named(String name) {
        return switch (name) {
            case "jdk" -> platform();
            case "tux" -> sharedTux();
            default -> throw new IllegalArgumentException("unknown provider '" + name + "' (expected jdk or tux)");
        };
    }

    /** The platform provider: {@link SelectorProvider#provider()} in a JVM where no other one is installed. */
    static SelectorProvider platform() {
        String global = System.getProperty(GLOBAL_PROPERTY);
        if (global != null) {
            throw new IllegalStateException("-D" + GLOBAL_PROPERTY + "=" + global + " is set in this JVM, so "
                    + "SelectorProvider.provider() is not the JDK's own: run the benchmarks without it (each case "
                    + "picks its provider itself)");
        }
        SelectorProvider p = SelectorProvider.provider();
        if (!p.getClass().getName().startsWith("sun.nio.ch.")) {
            throw new IllegalStateException("SelectorProvider.provider() is " + p.getClass().getName()
                    + " (installed through ServiceLoader?), not the JDK's own provider");
        }
        return p;
    }

    /** The one Tux provider of this JVM, made on first use; guarded by the class lock. */
    private static SelectorProvider tuxInstance;

    /**
     * One Tux provider per JVM, as with the system property: in the lo cases the client and the peer share it
     * (and so share its network thread and AF_XDP sockets, which a second instance could not bind).
     */
    private static synchronized SelectorProvider sharedTux() {
        if (tuxInstance == null) {
            tuxInstance = tux();
        }
        return tuxInstance;
    }

    private static SelectorProvider tux() {
        Class<?> type;
        try {
            type = Class.forName(TUX_CLASS);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("provider \"tux\" is not available: class " + TUX_CLASS
                    + " is not on the class path (benchmarks.jar was built without tux-spi's provider); "
                    + "the \"tux\" cases cannot be measured", e);
        }
        SelectorProvider p;
        try {
            p = (SelectorProvider) type.getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("provider \"tux\": " + TUX_CLASS + "() failed: " + e.getCause(),
                    e.getCause());
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("provider \"tux\": cannot make " + TUX_CLASS + ": " + e, e);
        }
        if (passThrough(p)) {
            throw new IllegalStateException("provider \"tux\": " + TUX_CLASS + " reports isPassThrough() = true "
                    + "(it would hand out the platform's own channels, so the case would measure the JDK twice); "
                    + "check the tux.* settings and that the JVM may reach the platform provider");
        }
        return p;
    }

    /** Calls {@code isPassThrough()} where the provider has it; false where it does not. */
    private static boolean passThrough(SelectorProvider p) {
        Method m;
        try {
            m = p.getClass().getMethod("isPassThrough");
        } catch (NoSuchMethodException e) {
            return false;
        }
        try {
            return (Boolean) m.invoke(p);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("provider \"tux\": isPassThrough() failed: " + e, e);
        }
    }
}
