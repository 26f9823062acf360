package io.tux.spi;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reaches the JDK's own {@link SelectorProvider} (the one {@code SelectorProvider.provider()} returns when no
 * provider is configured), which the JDK offers no public way to obtain once ours is installed.
 *
 * <p>Ways tried, in order, the first that works wins:
 * <ol>
 *   <li>{@link Way#DEFAULT_SELECTOR_PROVIDER}: {@code sun.nio.ch.DefaultSelectorProvider.get()}, the JDK's own
 *       factory; works when the JVM runs with {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}.</li>
 *   <li>{@link Way#PUBLIC_CONSTRUCTOR}: the platform provider class of this OS (EPoll, KQueue, WEPoll) through
 *       its public no-arg constructor; works when the package is exported.</li>
 *   <li>{@link Way#ALLOCATE_INSTANCE}: the same class instantiated with {@code sun.misc.Unsafe.allocateInstance}
 *       (module jdk.unsupported), which needs no flag. Safe because the platform provider classes have no
 *       instance fields and empty constructors.</li>
 * </ol>
 * All are JDK internals: {@code PlatformProviderTest} fails loudly when a JDK update breaks them.
 *
 * <p>Threading: {@link #find()} may be called from any thread; it keeps no state.
 */
final class PlatformProvider {

    /** How the platform provider was reached. */
    enum Way { DEFAULT_SELECTOR_PROVIDER, PUBLIC_CONSTRUCTOR, ALLOCATE_INSTANCE }

    /** The outcome of {@link #find()}: a provider and the way, or the reasons every way failed. */
    record Result(SelectorProvider provider, Way way, Throwable failure) {
        boolean found() {
            return provider != null;
        }
    }

    private PlatformProvider() {
    }

    /** The platform provider's class name on this OS, as the JDK's DefaultSelectorProvider chooses it. */
    static String platformClassName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            return "sun.nio.ch.WEPollSelectorProvider";
        }
        if (os.contains("mac") || os.contains("darwin") || os.contains("bsd")) {
            return "sun.nio.ch.KQueueSelectorProvider";
        }
        return "sun.nio.ch.EPollSelectorProvider";
    }

    /** Finds the platform provider; never throws. */
    static Result find() {
        List<Throwable> failures = new ArrayList<>(3);
        try {
            Class<?> c = Class.forName("sun.nio.ch.DefaultSelectorProvider");
            Method get = c.getMethod("get");
            return new Result((SelectorProvider) get.invoke(null), Way.DEFAULT_SELECTOR_PROVIDER, null);
        } catch (Throwable t) {
            failures.add(t);
        }
        Class<?> platformClass;
        try {
            platformClass = Class.forName(platformClassName());
            if (!SelectorProvider.class.isAssignableFrom(platformClass)) {
                throw new ClassCastException(platformClass + " is not a SelectorProvider");
            }
        } catch (Throwable t) {
            failures.add(t);
            return new Result(null, null, combine(failures));
        }
        try {
            return new Result((SelectorProvider) platformClass.getConstructor().newInstance(),
                    Way.PUBLIC_CONSTRUCTOR, null);
        } catch (Throwable t) {
            failures.add(t);
        }
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            Object unsafe = theUnsafe.get(null);
            Method allocate = unsafeClass.getMethod("allocateInstance", Class.class);
            return new Result((SelectorProvider) allocate.invoke(unsafe, platformClass), Way.ALLOCATE_INSTANCE,
                    null);
        } catch (Throwable t) {
            failures.add(t);
        }
        return new Result(null, null, combine(failures));
    }

    private static Throwable combine(List<Throwable> failures) {
        IllegalStateException e = new IllegalStateException(
                "cannot reach the platform's SelectorProvider (" + platformClassName() + ") on Java "
                        + System.getProperty("java.version"));
        for (Throwable t : failures) {
            e.addSuppressed(t);
        }
        return e;
    }
}
